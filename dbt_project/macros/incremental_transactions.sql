{#-
    Incremental int_transactions_enriched: which transactions an incremental run redoes. A
    row of the model is one staged transaction joined to its staged account and to
    seeds/merchant_categories.csv, so it can change only when one of those three changes:

      - the transaction: a row of its key was loaded after the model's watermark (a new
        transaction, a new version, a copy; in any status, since a quarantined or
        superseded version can remove the row);
      - its account: the account's record, or its owner's, was loaded after the watermark
        (owner or type changed, or the account arrived and its orphans were staged), so
        every transaction the model or staging holds for that account is redone;
      - the seeds: an MCC whose category in merchant_categories.csv differs from the one
        the model holds (an analyst moved it), so every transaction with that MCC is
        redone. The model holds no labels: readers join them from the seeds;

    and a transaction booked after the newest one the model holds is taken in, which covers
    the days a run pinned to an earlier as_of_date left out.

    The watermark (aggregate_watermark) is the newest _loaded_at the model holds: loads
    never overlap dbt runs (docs/operations.md), so rows loaded after it are new to it.
    The refs inside need `-- depends_on:` comments in the model for the base models.
-#}
{% macro transactions_to_refresh() -%}
    {%- set base_transactions = ref('base_core_banking__transactions') -%}
    {%- set transactions = ref('stg_core_banking__transactions') -%}
    select transaction_id from {{ base_transactions }}
    where _loaded_at > {{ aggregate_watermark() }}
    union
    select transaction_id
    from (
        select transaction_id, account_id from {{ transactions }}
        union all
        select transaction_id, account_id from {{ this }}
    ) as staged_or_held
    where account_id in (select account_id from ({{ recently_loaded_accounts() }}) as recent)
    union
    select transaction_id from {{ this }}
    where is_spend
        and coalesce(mcc, '') in (
            select coalesce(mcc, '') from ({{ recategorised_mccs() }}) as recategorised
        )
    union
    select transaction_id from {{ transactions }}
    where booked_at > (select max(booked_at) from {{ this }})
{%- endmacro %}

{#- MCCs (null: spends without one) whose category the seeds now give otherwise than the
    spends the model holds: one row per distinct mapping held, a narrow scan. -#}
{% macro recategorised_mccs() -%}
    select held.mcc
    from (
        select distinct mcc, consumption_category
        from {{ this }}
        where is_spend
    ) as held
    left join {{ ref('merchant_categories') }} as merchant_categories
        on held.mcc = merchant_categories.code
    where held.consumption_category is distinct from coalesce(merchant_categories.category, 'uncategorised')
{%- endmacro %}

{#- Post-hook: the empty rows of redone transactions that have no row any more, and rows
    booked after as_of_date (a run pinned to an earlier day than the model holds). -#}
{% macro delete_transactions_not_booked_by_as_of() -%}
    delete from {{ this }}
    where booked_at is null
        or booked_at >= {{ dbt.dateadd('day', 1, as_of_date()) }}
{%- endmacro %}
