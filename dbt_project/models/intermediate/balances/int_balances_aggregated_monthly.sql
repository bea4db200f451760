{#-
    Month-end and average daily balances per customer and calendar month, from the customer's
    first balance month to the month of as_of_date (that month is cut at as_of_date).
    A zero-change point at each month start splits the sparse daily rows at month
    boundaries, so every day of a month is weighted by the balance carried into it,
    without building a customer x day grid.
-#}

with

-- read three times below, each time only the columns needed, and no copy is held
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

months as (
    select distinct cast({{ dbt.date_trunc('month', 'balance_date') }} as date) as balance_month
    from daily_balances
),

first_months as (
    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'min(balance_date)') }} as date) as first_balance_month
    from daily_balances
    group by customer_id
),

customer_months as (
    select
        first_months.customer_id,
        months.balance_month
    from first_months
    inner join months
        on months.balance_month >= first_months.first_balance_month
    cross join as_of_month
    where months.balance_month <= as_of_month.as_of_month
),

points as (
    select
        customer_id,
        balance_month as point_date,
        0 as point_order,
        0 as deposit_balance_change_amount,
        0 as credit_card_balance_change_amount
    from customer_months
    union all
    select
        customer_id,
        balance_date as point_date,
        1 as point_order,
        deposit_balance_change_amount,
        credit_card_balance_change_amount
    from daily_balances
),

running as (
    select
        customer_id,
        point_date,
        cast({{ dbt.date_trunc('month', 'point_date') }} as date) as balance_month,
        lead(point_date) over (
            partition by customer_id order by point_date, point_order
        ) as next_point_date,
        sum(deposit_balance_change_amount) over (
            partition by customer_id order by point_date, point_order
            rows between unbounded preceding and current row
        ) as deposit_balance_amount,
        sum(credit_card_balance_change_amount) over (
            partition by customer_id order by point_date, point_order
            rows between unbounded preceding and current row
        ) as credit_card_balance_amount,
        point_order
    from points
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
        ) }} as days_held
    from running
    cross join as_of
),

final as (
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
            as decimal(18, 2)) as avg_daily_credit_card_balance_amount
    from weighted
    group by customer_id, balance_month
)

select * from final
