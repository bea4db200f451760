with

base as (
    select * from {{ ref('base_core_banking__campaigns') }}
    where _record_status = 'staged'
),

final as (
    select
        campaign_id,
        campaign_name,
        product_code,
        channel,
        start_date,
        end_date,
        holdout_share,
        updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
