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
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(holdout_share as decimal(5,4)) as holdout_share,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
