with

base as (
    select * from {{ ref('base_core_banking__holdings') }}
    where _record_status = 'staged'
),

final as (
    select
        cast(snapshot_date as date) as snapshot_date,
        customer_id,
        product_code,
        cast(market_value as decimal(18,2)) as market_value,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
