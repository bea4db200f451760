{#-
    Staged digital events counted per customer, event day, event type and page (the channel
    and the exact time are dropped). Every event day, not only those up to as_of_date:
    readers filter on event_date.

    Incremental, delete+insert per (customer_id, event_date): a run re-counts only the days
    touched by rows loaded since the last run (macro days_to_reaggregate) and removes days
    left without staged events.
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['customer_id', 'event_date'],
    on_schema_change='fail',
    post_hook="{{ delete_emptied_days('event_count') }}",
) }}

-- depends_on: {{ ref('base_core_banking__digital_events') }}
-- depends_on: {{ ref('base_core_banking__customers') }}

with

digital_events as (
    select * from {{ ref('stg_core_banking__digital_events') }}
),

{% if is_incremental() %}

{#- customers loaded since the last run without a row yet: their events may have been orphans -#}
new_customers as (
    select customer_id
    from {{ ref('base_core_banking__customers') }}
    where _loaded_at > {{ aggregate_watermark() }}
        and customer_id not in (
            select customer_id from {{ this }}
            where customer_id in (
                select customer_id from {{ ref('base_core_banking__customers') }}
                where _loaded_at > {{ aggregate_watermark() }}
            )
        )
),

days_to_refresh as (
    select customer_id, event_date
    from (
        {{ days_to_reaggregate(
            ref('base_core_banking__digital_events'), ['event_id'], 'customer_id', 'event_at', 'event_date',
            'new_customers'
        ) }}
    ) as touched
),

{% endif %}

dated as (
    select
        digital_events.customer_id,
        cast(digital_events.event_at as date) as event_date,
        digital_events.event_type,
        digital_events.page,
        digital_events._loaded_at
    from digital_events
    {% if is_incremental() %}
    -- customers first: a cheap filter before every event day is computed; and no event
    -- before the earliest day to redo, so DuckDB skips the older row groups unread
    where digital_events.customer_id in (select customer_id from days_to_refresh)
        and digital_events.event_at >= (select min(event_date) from days_to_refresh)
    {% endif %}
),

selected as (
    select dated.*
    from dated
    {% if is_incremental() %}
    inner join days_to_refresh
        on dated.customer_id = days_to_refresh.customer_id
        and dated.event_date = days_to_refresh.event_date
    {% endif %}
),

aggregated as (
    select
        customer_id,
        event_date,
        event_type,
        page,
        count(*) as event_count,
        max(_loaded_at) as _loaded_at
    from selected
    group by
        customer_id,
        event_date,
        event_type,
        page
),

{% if is_incremental() %}

{#- days left without a staged event: an empty row each, for the delete (post-hook removes it) -#}
emptied as (
    select
        days_to_refresh.customer_id,
        days_to_refresh.event_date,
        cast(null as {{ dbt.type_string() }}) as event_type,
        cast(null as {{ dbt.type_string() }}) as page,
        0 as event_count,
        cast(null as timestamp) as _loaded_at
    from days_to_refresh
    where days_to_refresh.customer_id is not null
        and days_to_refresh.event_date is not null
        and not exists (
            select 1 from aggregated
            where aggregated.customer_id = days_to_refresh.customer_id
                and aggregated.event_date = days_to_refresh.event_date
        )
),

{% endif %}

combined as (
    select * from aggregated
    {% if is_incremental() %}
    union all
    select * from emptied
    {% endif %}
),

final as (
    select
        customer_id,
        event_date,
        event_type,
        page,
        cast(event_count as integer) as event_count,
        _loaded_at,
        {{ built_at() }} as _built_at
    from combined
)

select * from final
