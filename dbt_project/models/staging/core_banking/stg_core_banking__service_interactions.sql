with

base as (
    select * from {{ ref('base_core_banking__service_interactions') }}
    where _record_status = 'staged'
),

final as (
    select
        interaction_id,
        customer_id,
        cast(interaction_at as timestamp) as interaction_at,
        interaction_type,
        channel,
        topic,
        cast(is_resolved as boolean) as is_resolved,
        cast(satisfaction_score as integer) as satisfaction_score,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
