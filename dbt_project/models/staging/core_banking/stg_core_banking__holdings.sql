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
        market_value,
        updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
