{#-
    End-of-day balances per customer, only on the days a balance changed (sparse): each row
    holds from balance_date until the day before next_balance_date (carried forward), so no
    customer x day grid is ever built. Per account, the end-of-day balance comes from
    int_account_balances_aggregated_daily (balance_after of the day's last transaction); the
    day's change of each account is added up per customer (the account's current owner) and
    a running sum gives the customer's balance.
      deposit      current, savings and business accounts (positive = money held);
      credit_card  credit card accounts (negative = amount owed).

    Incremental, delete+insert per (customer_id, balance_date). A customer's rows can change
    from the first day one of its account days changed, so a run redoes each such customer
    from its last held day before that one (whose balances it carries in), and no one else:

      - account days touched by rows loaded since the last run, and account days after the
        newest day held (left out by a run pinned to an earlier as_of_date): redone from
        that day;
      - customers named by any version of an account loaded since the last run (owner or
        type may have changed, an orphan's account arrived): redone from the start
        (both: macro changed_balance_days);
      - every other customer's last row only gets next_balance_date = as_of_date + 1.

    Rows a redone customer no longer has come back empty (next_balance_date null) so the
    delete removes them; the post-hook drops those and any row after as_of_date.
-#}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['customer_id', 'balance_date'],
    on_schema_change='fail',
    post_hook="{{ delete_balances_not_held_by_as_of() }}",
) }}

-- depends_on: {{ ref('base_core_banking__transactions') }}
-- depends_on: {{ ref('base_core_banking__accounts') }}
-- depends_on: {{ ref('base_core_banking__customers') }}

{%- set balance_account_types = "('current', 'savings', 'business', 'credit_card')" %}

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

account_day_ends as {{ not_materialized() }} (
    select
        account_balances.account_id,
        accounts.customer_id,
        accounts.account_type,
        account_balances.balance_date,
        account_balances.end_of_day_balance_amount as end_of_day_balance,
        account_balances._loaded_at
    from account_balances
    inner join accounts
        on account_balances.account_id = accounts.account_id
    cross join as_of
    where account_balances.balance_date <= as_of.as_of_date
        and accounts.account_type in {{ balance_account_types }}
),

{% if is_incremental() %}

held as {{ not_materialized() }} (
    select held_rows.*
    from {{ this }} as held_rows
    cross join as_of
    where held_rows.balance_date <= as_of.as_of_date
),

{#- the first changed day of each customer to redo (macro changed_balance_days), and days after
    the newest one held (left out by a run pinned to an earlier as_of_date) -#}
first_changed_days as (
    select customer_id, min(balance_date) as first_changed_date
    from (
        {{ changed_balance_days() }}
        union all
        select customer_id, balance_date
        from account_day_ends
        where balance_date > (select max(balance_date) from {{ this }})
    ) as changed
    group by customer_id
),

{#- redone from the last held day before the first change (or from the first change when none is
    held before it), opening with that day's balances before its own change -#}
redo_starts as {{ materialized() }} (
    select
        first_changed_days.customer_id,
        coalesce(max(held.balance_date), min(first_changed_days.first_changed_date)) as redo_from_date,
        coalesce(
            {{ value_of_last('held.deposit_balance_amount - held.deposit_balance_change_amount', ['held.balance_date']) }},
            0
        ) as opening_deposit_balance_amount,
        coalesce(
            {{ value_of_last('held.credit_card_balance_amount - held.credit_card_balance_change_amount', ['held.balance_date']) }},
            0
        ) as opening_credit_card_balance_amount
    from first_changed_days
    left join held
        on first_changed_days.customer_id = held.customer_id
        and held.balance_date < first_changed_days.first_changed_date
    group by first_changed_days.customer_id
),

{#- the redone customers' accounts first: a small table the account days are matched against -#}
redone_accounts as (
    select
        accounts.account_id,
        accounts.customer_id,
        accounts.account_type,
        redo_starts.redo_from_date
    from accounts
    inner join redo_starts
        on accounts.customer_id = redo_starts.customer_id
    where accounts.account_type in {{ balance_account_types }}
),

{#- every day of the redone customers' accounts up to as_of_date, read twice below -#}
redone_accounts_history as {{ materialized() }} (
    select
        account_balances.account_id,
        redone_accounts.customer_id,
        redone_accounts.account_type,
        account_balances.balance_date,
        account_balances.end_of_day_balance_amount as end_of_day_balance,
        account_balances._loaded_at,
        redone_accounts.redo_from_date
    from account_balances
    inner join redone_accounts
        on account_balances.account_id = redone_accounts.account_id
    cross join as_of
    where account_balances.balance_date <= as_of.as_of_date
),

redone_account_days as (
    select * from redone_accounts_history
    where balance_date >= redo_from_date
),

{#- each redone account's end-of-day balance before the customer's redo starts: what the
    first redone day's change is measured from -#}
balances_before_redo as (
    select
        account_id,
        {{ value_of_last('end_of_day_balance', ['balance_date']) }} as end_of_day_balance
    from redone_accounts_history
    where balance_date < redo_from_date
    group by account_id
),

{#- the held rows being redone -#}
held_redone as {{ materialized() }} (
    select held.customer_id, held.balance_date
    from held
    inner join redo_starts
        on held.customer_id = redo_starts.customer_id
        and held.balance_date >= redo_starts.redo_from_date
),

{% endif %}

account_day_changes as (
    select
        account_days.customer_id,
        account_days.account_type,
        account_days.balance_date,
        account_days._loaded_at,
        account_days.end_of_day_balance - coalesce(
            lag(account_days.end_of_day_balance) over (
                partition by account_days.account_id order by account_days.balance_date
            ),
            {% if is_incremental() %}balances_before_redo.end_of_day_balance,{% endif %}
            0
        ) as balance_change
    {% if is_incremental() %}
    from redone_account_days as account_days
    left join balances_before_redo
        on account_days.account_id = balances_before_redo.account_id
    {% else %}
    from account_day_ends as account_days
    {% endif %}
),

customer_day_changes as (
    select
        customer_id,
        balance_date,
        sum(case when account_type <> 'credit_card' then balance_change else 0 end)
            as deposit_balance_change_amount,
        sum(case when account_type = 'credit_card' then balance_change else 0 end)
            as credit_card_balance_change_amount,
        max(_loaded_at) as _loaded_at
    from account_day_changes
    group by customer_id, balance_date
),

carried_forward as (
    select
        customer_day_changes.customer_id,
        customer_day_changes.balance_date,
        lead(customer_day_changes.balance_date) over (
            partition by customer_day_changes.customer_id order by customer_day_changes.balance_date
        ) as next_balance_date,
        customer_day_changes.deposit_balance_change_amount,
        {% if is_incremental() %}redo_starts.opening_deposit_balance_amount + {% endif %}
        sum(customer_day_changes.deposit_balance_change_amount) over (
            partition by customer_day_changes.customer_id order by customer_day_changes.balance_date
            rows between unbounded preceding and current row
        ) as deposit_balance_amount,
        customer_day_changes.credit_card_balance_change_amount,
        {% if is_incremental() %}redo_starts.opening_credit_card_balance_amount + {% endif %}
        sum(customer_day_changes.credit_card_balance_change_amount) over (
            partition by customer_day_changes.customer_id order by customer_day_changes.balance_date
            rows between unbounded preceding and current row
        ) as credit_card_balance_amount,
        customer_day_changes._loaded_at
    from customer_day_changes
    {% if is_incremental() %}
    inner join redo_starts
        on customer_day_changes.customer_id = redo_starts.customer_id
    {% endif %}
),

computed as (
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
        cast(carried_forward.credit_card_balance_change_amount as decimal(18, 2)) as credit_card_balance_change_amount,
        carried_forward._loaded_at
    from carried_forward
    cross join as_of
),

{% if is_incremental() %}

{#- a redone customer's held days it no longer has: an empty row each, for the delete -#}
emptied as (
    select
        held.customer_id,
        held.balance_date,
        cast(null as date) as next_balance_date,
        cast(null as decimal(18, 2)) as deposit_balance_amount,
        cast(null as decimal(18, 2)) as deposit_balance_change_amount,
        cast(null as decimal(18, 2)) as credit_card_balance_amount,
        cast(null as decimal(18, 2)) as credit_card_balance_change_amount,
        cast(null as timestamp) as _loaded_at
    from held_redone as held
    where not exists (
        select 1 from computed
        where computed.customer_id = held.customer_id
            and computed.balance_date = held.balance_date
    )
),

{#- everyone else: the last row now holds until the day after as_of_date. Held last rows end
    on the newest next_balance_date held (as_of_date + 1 of the run that wrote them), or after
    as_of_date once the days after it are gone -#}
carried_to_as_of as (
    select
        held.customer_id,
        held.balance_date,
        cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date) as next_balance_date,
        held.deposit_balance_amount,
        held.deposit_balance_change_amount,
        held.credit_card_balance_amount,
        held.credit_card_balance_change_amount,
        held._loaded_at
    from held
    cross join as_of
    where held.next_balance_date >= least(
            (select max(next_balance_date) from {{ this }}),
            cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date)
        )
        and held.next_balance_date <> cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date)
        and held.customer_id not in (select customer_id from redo_starts)
),

{% endif %}

final as (
    select * from computed
    {% if is_incremental() %}
    union all
    select * from emptied
    union all
    select * from carried_to_as_of
    {% endif %}
)

select
    final.*,
    {{ built_at() }} as _built_at
from final
