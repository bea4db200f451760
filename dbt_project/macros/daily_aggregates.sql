{#-
    Incremental daily aggregates (int_*_aggregated_daily): which (owner, day) pairs to
    re-aggregate on this run. An aggregate is delete+insert on its owner and day, so a run
    rebuilds whole pairs from staging and leaves every other pair as it was.

    Staging re-checks rows by load, not by booking day (macro rows_to_recheck), and a
    re-check can move a row of ANY day in or out of staging: a new version supersedes an old
    one (perhaps booked on another day), a later copy is quarantined, an orphan finds its
    parent. So the pairs come from the base model's load metadata, not from a date window:

      - every version, in any status, of a key with a row loaded after the aggregate's
        watermark (new rows, the versions they supersede, the copies they duplicate), on
        the owner and day each version names: a row three weeks late is found because it
        was loaded today;
      - every staged row of an owner in `new_owners`: owners whose own record (or its
        parent's) was loaded after the watermark and that have no row in the aggregate yet.
        An orphan (a row whose owner had not arrived) is the one verdict that changes
        without a new row of the same key, and it changes only when its owner is staged.

    The watermark (macro aggregate_watermark) is the newest _loaded_at the aggregate holds:
    rows loaded after it were not there when it last ran, since loads never overlap dbt runs
    (one writer, docs/operations.md). No window or lookback is needed.

    base_model: the base_core_banking__* relation (every raw row with its _record_status);
    key_columns: its record key; owner_column: the owner in the aggregate's grain (a column
    of the base model); event_column: the timestamp the day comes from (typed by the base
    model, null where the raw text did not parse); day_column: the name of the day;
    new_owners: a relation or CTE with one column named like owner_column.
-#}
{% macro days_to_reaggregate(base_model, key_columns, owner_column, event_column, day_column, new_owners) -%}
    {%- set keys = key_columns | join(', ') -%}
    {%- set day = "cast(" ~ event_column ~ " as date)" -%}
    select
        {{ owner_column }},
        {{ day }} as {{ day_column }}
    from {{ base_model }}
    where ({{ keys }}) in (
        select {{ keys }} from {{ base_model }}
        where _loaded_at > {{ aggregate_watermark() }}
    )
    union
    select
        {{ owner_column }},
        {{ day }} as {{ day_column }}
    from {{ base_model }}
    where _record_status = 'staged'
        and {{ owner_column }} in (select {{ owner_column }} from {{ new_owners }})
{%- endmacro %}

{#- The newest load an incremental aggregate has seen (its rows carry max(_loaded_at)). -#}
{% macro aggregate_watermark() -%}
    (select coalesce(max(_loaded_at), cast('1900-01-01' as timestamp)) from {{ this }})
{%- endmacro %}

{#-
    A pair that lost all its staged rows has nothing to insert, so delete+insert would keep
    its old rows: the aggregate inserts one empty row for it (no data, a count of 0), which
    deletes the old rows, and this post-hook removes the empty rows after the insert.
-#}
{% macro delete_emptied_days(count_column) -%}
    delete from {{ this }} where {{ count_column }} = 0
{%- endmacro %}

{#-
    Accounts whose record, or whose owner's customer record, has a row loaded after the
    aggregate's watermark: the only accounts that can have become staged (and so turned
    their orphan transactions into staged ones) since the aggregate last ran. A model that
    calls this needs `-- depends_on:` comments for base_core_banking__accounts and
    base_core_banking__customers (refs inside is_incremental() are not seen when parsing).
-#}
{% macro recently_loaded_accounts() -%}
    select account_id from {{ ref('base_core_banking__accounts') }}
    where _loaded_at > {{ aggregate_watermark() }}
    union
    select account_id from {{ ref('base_core_banking__accounts') }}
    where customer_id in (
        select customer_id from {{ ref('base_core_banking__customers') }}
        where _loaded_at > {{ aggregate_watermark() }}
    )
{%- endmacro %}

{#-
    Aggregate: `value` of the row of the group that sorts last by `order_columns` (a list,
    compared in order). DuckDB, Spark and Trino call it max_by; each spells the composite
    ordering key its own way. One column is the key itself, not a composite of one.
-#}
{% macro value_of_last(value, order_columns) -%}
    {%- if order_columns | length == 1 -%}
        max_by({{ value }}, {{ order_columns[0] }})
    {%- else -%}
        {{ return(adapter.dispatch('value_of_last', 'bankprofile')(value, order_columns)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__value_of_last(value, order_columns) -%}
    max_by({{ value }}, row({{ order_columns | join(', ') }}))
{%- endmacro %}

{#-
    DuckDB: a binary sort key (create_sort_key), which compares as the columns do in order.
    A struct key made each group's state a nested value: under the memory limit, with one
    thread, int_account_balances_aggregated_daily's aggregate took 10.5 s at 100,000
    customers, 4.1 s with the sort key, for the same rows.
-#}
{% macro duckdb__value_of_last(value, order_columns) -%}
    {%- set sort_key = [] -%}
    {%- for column in order_columns -%}
        {%- do sort_key.append(column ~ ", 'ASC NULLS LAST'") -%}
    {%- endfor -%}
    max_by({{ value }}, create_sort_key({{ sort_key | join(', ') }}))
{%- endmacro %}

{% macro spark__value_of_last(value, order_columns) -%}
    max_by({{ value }}, struct({{ order_columns | join(', ') }}))
{%- endmacro %}
