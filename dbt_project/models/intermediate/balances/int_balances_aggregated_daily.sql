{#-
    End-of-day balances per customer, only on the days a balance changed (sparse): each row
    holds from balance_date until the day before next_balance_date (carried forward), so no
    customer x day grid is ever built. Per account, the end-of-day balance comes from
    int_account_balances_aggregated_daily (balance_after of the day's last transaction); the
    day's change of each account is added up per customer (the account's current owner) and
    a running sum gives the customer's balance.
      deposit      current, savings and business accounts (positive = money held);
      credit_card  credit card accounts (negative = amount owed).
-#}

with

account_balances as (
    select * from {{ ref('int_account_balances_aggregated_daily') }}
),

accounts as (
    select * from {{ ref('stg_core_banking__accounts') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

account_day_ends as (
    select
        account_balances.account_id,
        accounts.customer_id,
        accounts.account_type,
        account_balances.balance_date,
        account_balances.end_of_day_balance_amount as end_of_day_balance
    from account_balances
    inner join accounts
        on account_balances.account_id = accounts.account_id
    cross join as_of
    where account_balances.balance_date <= as_of.as_of_date
        and accounts.account_type in ('current', 'savings', 'business', 'credit_card')
),

account_day_changes as (
    select
        customer_id,
        account_type,
        balance_date,
        end_of_day_balance - coalesce(
            lag(end_of_day_balance) over (partition by account_id order by balance_date), 0
        ) as balance_change
    from account_day_ends
),

customer_day_changes as (
    select
        customer_id,
        balance_date,
        sum(case when account_type <> 'credit_card' then balance_change else 0 end)
            as deposit_balance_change_amount,
        sum(case when account_type = 'credit_card' then balance_change else 0 end)
            as credit_card_balance_change_amount
    from account_day_changes
    group by customer_id, balance_date
),

carried_forward as (
    select
        customer_id,
        balance_date,
        lead(balance_date) over (partition by customer_id order by balance_date)
            as next_balance_date,
        deposit_balance_change_amount,
        sum(deposit_balance_change_amount) over (
            partition by customer_id order by balance_date rows between unbounded preceding and current row
        ) as deposit_balance_amount,
        credit_card_balance_change_amount,
        sum(credit_card_balance_change_amount) over (
            partition by customer_id order by balance_date rows between unbounded preceding and current row
        ) as credit_card_balance_amount
    from customer_day_changes
),

final as (
    select
        carried_forward.customer_id,
        carried_forward.balance_date,
        coalesce(
            carried_forward.next_balance_date,
            cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date)
        ) as next_balance_date,
        cast(carried_forward.deposit_balance_amount as decimal(18, 2)) as deposit_balance_amount,
        cast(carried_forward.deposit_balance_change_amount as decimal(18, 2)) as deposit_balance_change_amount,
        cast(carried_forward.credit_card_balance_amount as decimal(18, 2)) as credit_card_balance_amount,
        cast(carried_forward.credit_card_balance_change_amount as decimal(18, 2)) as credit_card_balance_change_amount
    from carried_forward
    cross join as_of
)

select * from final
