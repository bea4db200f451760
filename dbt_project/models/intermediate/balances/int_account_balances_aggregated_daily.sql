{#-
    The end-of-day balance of every account on every day it booked a transaction with a
    balance: balance_after of the day's last such transaction (latest booked_at, then the
    highest transaction_id). Every booked day, not only those up to as_of_date: readers
    filter on balance_date.

    Incremental, delete+insert per (account_id, balance_date): a run recomputes only the
    pairs touched by rows loaded since the last run (macro days_to_reaggregate) and removes
    pairs left without a staged transaction with a balance.
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['account_id', 'balance_date'],
    on_schema_change='fail',
    post_hook="{{ delete_emptied_days('transaction_count') }}",
) }}

-- depends_on: {{ ref('base_core_banking__transactions') }}
-- depends_on: {{ ref('base_core_banking__accounts') }}
-- depends_on: {{ ref('base_core_banking__customers') }}

with

transactions as (
    select * from {{ ref('stg_core_banking__transactions') }}
),

{% if is_incremental() %}

recent_accounts as (
    {{ recently_loaded_accounts() }}
),

{#- recent accounts without a row yet: their transactions may have been orphans until now -#}
new_accounts as (
    select account_id
    from recent_accounts
    where account_id not in (
        select account_id from {{ this }}
        where account_id in (select account_id from recent_accounts)
    )
),

days_to_refresh as (
    select account_id, balance_date
    from (
        {{ days_to_reaggregate(
            ref('base_core_banking__transactions'), ['transaction_id'], 'account_id', 'booked_at', 'balance_date',
            'new_accounts'
        ) }}
    ) as touched
),

{% endif %}

with_balance as (
    select
        transactions.transaction_id,
        transactions.account_id,
        cast(transactions.booked_at as date) as balance_date,
        transactions.booked_at,
        transactions.balance_after,
        transactions._loaded_at
    from transactions
    where transactions.balance_after is not null
        {% if is_incremental() %}
        -- accounts first: a cheap filter before every booking day is computed; and no
        -- booking before the earliest day to redo, so DuckDB skips the older row groups unread
        and transactions.account_id in (select account_id from days_to_refresh)
        and transactions.booked_at >= (select min(balance_date) from days_to_refresh)
        {% endif %}
),

selected as (
    select with_balance.*
    from with_balance
    {% if is_incremental() %}
    inner join days_to_refresh
        on with_balance.account_id = days_to_refresh.account_id
        and with_balance.balance_date = days_to_refresh.balance_date
    {% endif %}
),

{#- the day's last transaction (latest booked_at, then highest transaction_id): an aggregate,
    not a window, so the rows are hashed by account and day rather than sorted -#}
day_ends as (
    select
        account_id,
        balance_date,
        {{ value_of_last('balance_after', ['booked_at', 'transaction_id']) }} as end_of_day_balance_amount,
        count(*) as transaction_count,
        max(_loaded_at) as _loaded_at
    from selected
    group by account_id, balance_date
),

{% if is_incremental() %}

{#- pairs left without a staged balance: an empty row each, for the delete (post-hook removes it) -#}
emptied as (
    select
        days_to_refresh.account_id,
        days_to_refresh.balance_date,
        cast(null as decimal(18, 2)) as end_of_day_balance_amount,
        0 as transaction_count,
        cast(null as timestamp) as _loaded_at
    from days_to_refresh
    where days_to_refresh.account_id is not null
        and days_to_refresh.balance_date is not null
        and not exists (
            select 1 from day_ends
            where day_ends.account_id = days_to_refresh.account_id
                and day_ends.balance_date = days_to_refresh.balance_date
        )
),

{% endif %}

combined as (
    select * from day_ends
    {% if is_incremental() %}
    union all
    select * from emptied
    {% endif %}
),

final as (
    select
        account_id,
        balance_date,
        cast(end_of_day_balance_amount as decimal(18, 2)) as end_of_day_balance_amount,
        cast(transaction_count as integer) as transaction_count,
        _loaded_at,
        {{ built_at() }} as _built_at
    from combined
)

select * from final
