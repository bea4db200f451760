{#-
    Incremental customer balances (int_balances_aggregated_daily, int_balances_aggregated_monthly):
    which customers a run redoes. A customer's balance is a running sum over its accounts, so
    any changed account day changes every later row of its current owner, and a changed
    account record (owner or type) moves the account's whole history between customers.

    changed_balance_days(): (customer_id, balance_date) pairs that can have changed since the
    model's watermark (its newest _loaded_at):
      - account days touched by rows loaded since (macro days_to_reaggregate: every version of
        a key with a new row, on the day each version names; the staged rows of accounts that
        arrived), on the account's current owner;
      - every customer named by any version of an account whose record, or its owner's, was
        loaded since, from 1900-01-01 (the start).
    A model that calls it needs `-- depends_on:` comments for base_core_banking__transactions,
    base_core_banking__accounts, base_core_banking__customers and, unless it refs it already,
    stg_core_banking__accounts.
-#}
{% macro changed_balance_days() -%}
    {%- set recent_accounts = '(' ~ recently_loaded_accounts() ~ ') as recent_accounts' -%}
    select accounts.customer_id, touched.balance_date
    from (
        {{ days_to_reaggregate(
            ref('base_core_banking__transactions'), ['transaction_id'], 'account_id', 'booked_at', 'balance_date',
            recent_accounts
        ) }}
    ) as touched
    inner join {{ ref('stg_core_banking__accounts') }} as accounts
        on touched.account_id = accounts.account_id
    where touched.balance_date is not null
    union all
    select customer_id, cast('1900-01-01' as date) as balance_date
    from {{ ref('base_core_banking__accounts') }}
    where account_id in (select account_id from {{ recent_accounts }})
        and customer_id is not null
{%- endmacro %}

{#- Post-hook of int_balances_aggregated_daily: the empty rows of days a redone customer no
    longer has, and rows after as_of_date (a run pinned to an earlier day than the model holds). -#}
{% macro delete_balances_not_held_by_as_of() -%}
    delete from {{ this }}
    where next_balance_date is null
        or balance_date > {{ as_of_date() }}
{%- endmacro %}

{#- Post-hook of int_balances_aggregated_monthly: the empty rows of months a redone customer no
    longer has, and months after the month of as_of_date. -#}
{% macro delete_months_not_held_by_as_of() -%}
    delete from {{ this }}
    where days_observed is null
        or balance_month > cast({{ dbt.date_trunc('month', as_of_date()) }} as date)
{%- endmacro %}
