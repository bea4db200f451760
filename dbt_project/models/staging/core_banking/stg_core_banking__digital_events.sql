with

base as (
    select * from {{ ref('base_core_banking__digital_events') }}
    where _record_status = 'staged'
),

final as (
    select
        event_id,
        customer_id,
        event_at,
        event_type,
        page,
        channel,
        updated_at,
        _source_file,
        _loaded_at,
        _built_at
    from base
)

select * from final
