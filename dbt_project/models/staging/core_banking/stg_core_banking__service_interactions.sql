with

base as (
    select * from {{ ref('base_core_banking__service_interactions') }}
    where _record_status = 'staged'
),

final as (
    select
        interaction_id,
        customer_id,
        interaction_at,
        interaction_type,
        channel,
        topic,
        is_resolved,
        satisfaction_score,
        updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
