{#-
    Month-end and average daily balances per customer and calendar month, from the customer's
    first balance month to the month of as_of_date (that month is cut at as_of_date).
    A zero-change point at each month start splits the sparse daily rows at month
    boundaries, so every day of a month is weighted by the balance carried into it,
    without building a customer x day grid.

    Incremental, delete+insert per (customer_id, balance_month). The month of as_of_date
    grows by a day each night, and a redone customer's daily balances can change from any
    day on, so a run redoes:

      - every customer whose balances changed since the last run (macro
        changed_balance_days), from its first month;
      - every other customer from the newest month held (the month of as_of_date, or the
        month before it on the first night of a month; the month of as_of_date after a run
        pinned to an earlier day), carrying in the balance of its last daily row before
        that month.

    Months a redone customer no longer has come back empty (days_observed null) so the
    delete removes them; the post-hook drops those and any month after as_of_date's.
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['customer_id', 'balance_month'],
    on_schema_change='fail',
    post_hook="{{ delete_months_not_held_by_as_of() }}",
) }}

-- depends_on: {{ ref('base_core_banking__transactions') }}
-- depends_on: {{ ref('base_core_banking__accounts') }}
-- depends_on: {{ ref('base_core_banking__customers') }}
-- depends_on: {{ ref('stg_core_banking__accounts') }}

with

-- read more than once below, each time only the columns and rows needed, and no copy is held
daily_balances as {{ not_materialized() }} (
    select * from {{ ref('int_balances_aggregated_daily') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

as_of_month as (
    select cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month
    from as_of
),

{% if is_incremental() %}

held as {{ not_materialized() }} (
    select held_rows.*
    from {{ this }} as held_rows
    cross join as_of_month
    where held_rows.balance_month <= as_of_month.as_of_month
),

newest_month_held as (
    select least(
        coalesce((select max(balance_month) from {{ this }}), as_of_month.as_of_month),
        as_of_month.as_of_month
    ) as redo_from_month
    from as_of_month
),

redo_starts as {{ materialized() }} (
    select customer_id, min(redo_from_month) as redo_from_month
    from (
        select customer_id, cast('1900-01-01' as date) as redo_from_month
        from ({{ changed_balance_days() }}) as changed
        union all
        {# everyone with a balance on a day of the newest month held or later #}
        select daily_balances.customer_id, newest_month_held.redo_from_month
        from daily_balances
        cross join newest_month_held
        where daily_balances.next_balance_date > newest_month_held.redo_from_month
    ) as starts
    group by customer_id
),

{#- each redone customer's daily rows from its last one before the redo month on -#}
redone_daily_balances as {{ materialized() }} (
    select daily_balances.*, redo_starts.redo_from_month
    from daily_balances
    inner join redo_starts
        on daily_balances.customer_id = redo_starts.customer_id
        and daily_balances.next_balance_date >= redo_starts.redo_from_month
),

{#- the balances carried into the redo month (those of the last row before it, if any) -#}
openings as (
    select
        customer_id,
        sum(case when balance_date < redo_from_month
            then deposit_balance_amount - deposit_balance_change_amount else 0 end)
            as opening_deposit_balance_amount,
        sum(case when balance_date < redo_from_month
            then credit_card_balance_amount - credit_card_balance_change_amount else 0 end)
            as opening_credit_card_balance_amount
    from redone_daily_balances
    group by customer_id
),

months as (
    select distinct balance_month from {{ this }}
    union
    select distinct cast({{ dbt.date_trunc('month', 'balance_date') }} as date) as balance_month
    from redone_daily_balances
),

{% else %}

months as (
    select distinct cast({{ dbt.date_trunc('month', 'balance_date') }} as date) as balance_month
    from daily_balances
),

{% endif %}

first_months as (
    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'min(balance_date)') }} as date) as first_balance_month
        {%- if is_incremental() %},
        min(redo_from_month) as redo_from_month
        {%- endif %}
    from {% if is_incremental() %}redone_daily_balances{% else %}daily_balances{% endif %}
    group by customer_id
),

customer_months as (
    select
        first_months.customer_id,
        months.balance_month
    from first_months
    inner join months
        on months.balance_month >= first_months.first_balance_month
        {%- if is_incremental() %}
        and months.balance_month >= first_months.redo_from_month
        {%- endif %}
    cross join as_of_month
    where months.balance_month <= as_of_month.as_of_month
),

points as (
    select
        customer_id,
        balance_month as point_date,
        0 as point_order,
        0 as deposit_balance_change_amount,
        0 as credit_card_balance_change_amount,
        cast(null as timestamp) as _loaded_at
    from customer_months
    union all
    select
        customer_id,
        balance_date as point_date,
        1 as point_order,
        deposit_balance_change_amount,
        credit_card_balance_change_amount,
        _loaded_at
    from {% if is_incremental() %}redone_daily_balances{% else %}daily_balances{% endif %}
),

running as (
    select
        points.customer_id,
        points.point_date,
        cast({{ dbt.date_trunc('month', 'points.point_date') }} as date) as balance_month,
        lead(points.point_date) over (
            partition by points.customer_id order by points.point_date, points.point_order
        ) as next_point_date,
        {% if is_incremental() %}openings.opening_deposit_balance_amount + {% endif %}
        sum(points.deposit_balance_change_amount) over (
            partition by points.customer_id order by points.point_date, points.point_order
            rows between unbounded preceding and current row
        ) as deposit_balance_amount,
        {% if is_incremental() %}openings.opening_credit_card_balance_amount + {% endif %}
        sum(points.credit_card_balance_change_amount) over (
            partition by points.customer_id order by points.point_date, points.point_order
            rows between unbounded preceding and current row
        ) as credit_card_balance_amount,
        points.point_order,
        points._loaded_at
    from points
    {% if is_incremental() %}
    inner join openings
        on points.customer_id = openings.customer_id
    {% endif %}
),

weighted as (
    select
        running.customer_id,
        running.balance_month,
        running.point_date,
        running.point_order,
        running.deposit_balance_amount,
        running.credit_card_balance_amount,
        {{ dbt.datediff(
            'running.point_date',
            "coalesce(running.next_point_date, cast(" ~ dbt.dateadd('day', 1, 'as_of.as_of_date') ~ " as date))",
            'day'
        ) }} as days_held,
        running._loaded_at
    from running
    cross join as_of
    {% if is_incremental() %}
    inner join first_months
        on running.customer_id = first_months.customer_id
    where running.balance_month >= first_months.redo_from_month
    {% endif %}
),

computed as (
    select
        customer_id,
        balance_month,
        cast(sum(days_held) as integer) as days_observed,
        cast({{ value_of_last('deposit_balance_amount', ['point_date', 'point_order']) }}
            as decimal(18, 2)) as month_end_deposit_balance_amount,
        cast(sum(deposit_balance_amount * days_held) / nullif(sum(days_held), 0)
            as decimal(18, 2)) as avg_daily_deposit_balance_amount,
        cast({{ value_of_last('credit_card_balance_amount', ['point_date', 'point_order']) }}
            as decimal(18, 2)) as month_end_credit_card_balance_amount,
        cast(sum(credit_card_balance_amount * days_held) / nullif(sum(days_held), 0)
            as decimal(18, 2)) as avg_daily_credit_card_balance_amount,
        max(_loaded_at) as _loaded_at
    from weighted
    group by customer_id, balance_month
),

{% if is_incremental() %}

{#- a redone customer's held months it no longer has: an empty row each, for the delete -#}
emptied as (
    select
        held.customer_id,
        held.balance_month,
        cast(null as integer) as days_observed,
        cast(null as decimal(18, 2)) as month_end_deposit_balance_amount,
        cast(null as decimal(18, 2)) as avg_daily_deposit_balance_amount,
        cast(null as decimal(18, 2)) as month_end_credit_card_balance_amount,
        cast(null as decimal(18, 2)) as avg_daily_credit_card_balance_amount,
        cast(null as timestamp) as _loaded_at
    from held
    inner join redo_starts
        on held.customer_id = redo_starts.customer_id
        and held.balance_month >= redo_starts.redo_from_month
    where not exists (
        select 1 from computed
        where computed.customer_id = held.customer_id
            and computed.balance_month = held.balance_month
    )
),

{% endif %}

final as (
    select * from computed
    {% if is_incremental() %}
    union all
    select * from emptied
    {% endif %}
)

select * from final
