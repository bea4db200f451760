{#-
    Month-end segment snapshots: one row per month and customer, the customer_segments row
    of the build's as_of_date, kept incrementally. A rebuild in the same month replaces that
    month's rows (delete+insert on snapshot_month, customer_id), so it adds none; the last
    build of a month (its month-end run) is the month's snapshot. A build whose as_of_date
    is earlier than the stored snapshot of its month changes nothing. Backfill past months
    with --vars '{as_of_date: YYYY-MM-DD}' (customer_features is point in time).
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['snapshot_month', 'customer_id'],
    on_schema_change='append_new_columns',
) }}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

current_snapshot as (
    select
        cast({{ dbt.date_trunc('month', 'customer_segments.as_of_date') }} as date) as snapshot_month,
        customer_segments.customer_id,
        customer_segments.as_of_date as snapshot_date,
        customer_segments.segment_code,
        customer_segments.matched_rule_id,
        customer_segments.value_tier,
        customer_segments.lifecycle_stage
    from customer_segments
),

final as (
    select current_snapshot.*
    from current_snapshot
    {%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as stored
        where stored.snapshot_month = current_snapshot.snapshot_month
            and stored.snapshot_date > current_snapshot.snapshot_date
    )
    {%- endif %}
)

select * from final
