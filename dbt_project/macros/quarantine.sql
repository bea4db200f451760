{#-
    Shared pieces of the staging checks. Every base_core_banking__* model types its raw
    table, gives each row the first failing validation rule as `quarantine_reason`, and
    then calls classify_records to settle duplicates and versions.
-#}

{#- A fingerprint of a row's business columns, for spotting exact duplicates. -#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'bankprofile')(columns)) }}
{%- endmacro %}

{% macro default__row_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '<null>')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{% macro duckdb__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{#- True when a text value is present but does not cast to the type. -#}
{% macro fails_cast(column, type) -%}
    ({{ column }} is not null and {{ safe_cast_to(column, type) }} is null)
{%- endmacro %}

{#- True when a code is present but not in seeds/code_values.csv for that list. -#}
{% macro is_unknown_code(column, code_list) -%}
    ({{ column }} is not null and {{ column }} not in (
        select code from {{ ref('code_values') }} where code_list = '{{ code_list }}'
    ))
{%- endmacro %}

{#-
    Settles every row of a validated relation into one `_record_status`:
      quarantined      failed a validation rule (quarantine_reason says which), or shares
                       its key and version with an earlier row but differs from it
                       (quarantine_reason = 'duplicate_key');
      exact_duplicate  identical to an earlier row (same business columns);
      superseded       an older version of a key that has a newer valid row;
      staged           the latest valid version of its key: the row staging keeps.
    "Earlier" means loaded from an earlier landing file, or higher up in the same file.
    So raw = staged + quarantined + exact_duplicate + superseded, for every table.

    Only valid rows whose key occurs more than once need ranking, and they are few: the
    rest take rank 1 without a sort. Ranking every row sorted the whole raw table at full
    width, tens of GB of spill at a million customers (docs/benchmarks.md). The relation is
    read twice, so a base model declares it, and its raw source, not_materialized():
    reading raw again is far cheaper than holding every raw row, typed, in memory.

    The keys are counted over every row, valid or not: a valid row whose key repeats only
    in rows that failed a rule then ranks alone in the window, which gives it the ranks the
    fast path would. So a full build counts them in `raw_relation`, the unchecked rows the
    relation was made from (its key columns must be raw columns, unchanged): one column
    read, where counting the checked rows validated every raw row a second time (base
    transactions at 100,000 customers: 20 -> 13 s of CPU). An incremental run counts them
    in the checked rows it holds.
-#}
{% macro classify_records(relation, key_columns, raw_relation, version_column='updated_at') -%}
    {%- set qualified_keys = [] -%}
    {%- for key in key_columns -%}
        {%- do qualified_keys.append(relation ~ '.' ~ key) -%}
    {%- endfor -%}
    with repeated_keys as (
        -- a hash of the key: narrow to group on, and a rare collision only ranks a few
        -- more rows, which then settle by their real key in the window below
        select {{ row_hash(key_columns) }} as _key_hash
        from {{ relation if is_incremental() else raw_relation }}
        group by {{ row_hash(key_columns) }}
        having count(*) > 1
    ),

    ranked as (
        -- ranks only mean something among valid rows: null for a row that failed a rule
        select
            {{ relation }}.*,
            case when {{ relation }}._failed_rule is null then 1 end as _copy_number,
            case when {{ relation }}._failed_rule is null then {{ relation }}._row_hash end as _first_copy_hash,
            case when {{ relation }}._failed_rule is null then 1 end as _version_rank
        from {{ relation }}
        left join repeated_keys
            on {{ row_hash(qualified_keys) }} = repeated_keys._key_hash
        where {{ relation }}._failed_rule is not null
            or repeated_keys._key_hash is null

        union all

        select
            {{ relation }}.*,
            row_number() over (
                partition by {{ qualified_keys | join(', ') }}, {{ relation }}.{{ version_column }}
                order by {{ relation }}._source_file, {{ relation }}._row_number
            ) as _copy_number,
            first_value({{ relation }}._row_hash) over (
                partition by {{ qualified_keys | join(', ') }}, {{ relation }}.{{ version_column }}
                order by {{ relation }}._source_file, {{ relation }}._row_number
            ) as _first_copy_hash,
            dense_rank() over (
                partition by {{ qualified_keys | join(', ') }}
                order by {{ relation }}.{{ version_column }} desc
            ) as _version_rank
        from {{ relation }}
        inner join repeated_keys
            on {{ row_hash(qualified_keys) }} = repeated_keys._key_hash
        where {{ relation }}._failed_rule is null
    ),

    settled as (
        select
            *,
            case
                when _failed_rule is not null then _failed_rule
                when _copy_number > 1 and _row_hash <> _first_copy_hash then 'duplicate_key'
            end as quarantine_reason
        from ranked
    ),

    classified as (
        select
            *,
            case
                when quarantine_reason is not null then 'quarantined'
                when _copy_number > 1 then 'exact_duplicate'
                when _version_rank > 1 then 'superseded'
                else 'staged'
            end as _record_status,
            {{ built_at() }} as _built_at
        from settled
    )

    select * from classified
{%- endmacro %}

{#-
    `with name as {{ not_materialized() }} (...)`: a CTE read more than once is computed
    each time it is read instead of being held. DuckDB holds such a CTE by default, and its
    common_subplan optimizer holds any repeated subplan, hint or not, so the profile turns
    that optimizer off. Where a warehouse has no such hint, nothing is written.
-#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'bankprofile')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro postgres__not_materialized() -%}
    not materialized
{%- endmacro %}

{#-
    `with name as {{ materialized() }} (...)`: the opposite, a CTE computed once and held,
    for a small result of costly work that several later CTEs read (DuckDB may otherwise
    inline it into each of them). Where a warehouse has no such hint, nothing is written.
-#}
{% macro materialized() -%}
    {{ return(adapter.dispatch('materialized', 'bankprofile')()) }}
{%- endmacro %}

{% macro default__materialized() -%}
{%- endmacro %}

{% macro duckdb__materialized() -%}
    materialized
{%- endmacro %}

{% macro postgres__materialized() -%}
    materialized
{%- endmacro %}

{#- A cast that yields null instead of failing (dbt-duckdb's dbt.safe_cast is a plain cast). -#}
{% macro safe_cast_to(column, type) -%}
    {{ return(adapter.dispatch('safe_cast_to', 'bankprofile')(column, type)) }}
{%- endmacro %}

{% macro default__safe_cast_to(column, type) -%}
    {{ dbt.safe_cast(column, type) }}
{%- endmacro %}

{% macro duckdb__safe_cast_to(column, type) -%}
    try_cast({{ column }} as {{ type }})
{%- endmacro %}

{#-
    Incremental staging: which raw rows to (re)check on this run. A row's verdict depends
    on the other rows with its key (duplicates, versions) and on its parents (orphans), so
    a run re-checks, from raw, every row loaded since the last run and every row whose key
    is in a new row or in a row quarantined as an orphan (its parent may have arrived
    since). Rows re-checked replace their old verdict (delete+insert on _source_file,
    _row_number), so the result equals a full refresh of the same raw rows.
    On DuckDB the rows are found by their keys and load times alone and then fetched by
    rowid: the key test cannot skip row groups, and testing it on whole rows read every
    column of the raw table each night (at 1,000,000 customers, one thread, one night's
    transactions select took 41.6 s that way, 11.4 s this way, and 4.1 s with the checked
    rows held as well: materialized_if_incremental).
-#}
{% macro rows_to_recheck(source_relation, key_columns) -%}
    {{ return(adapter.dispatch('rows_to_recheck', 'bankprofile')(source_relation, key_columns)) }}
{%- endmacro %}

{% macro default__rows_to_recheck(source_relation, key_columns) -%}
    {%- set keys = key_columns | join(', ') -%}
    {%- set last_load = "(select max(_loaded_at) from " ~ this ~ ")" -%}
    _loaded_at > {{ last_load }}
    or ({{ keys }}) in (
        select {{ keys }} from {{ source_relation }} where _loaded_at > {{ last_load }}
        union all
        select {{ keys }} from {{ this }} where quarantine_reason = 'orphan_key'
    )
{%- endmacro %}

{% macro duckdb__rows_to_recheck(source_relation, key_columns) -%}
    rowid in (
        select rowid from {{ source_relation }}
        where {{ default__rows_to_recheck(source_relation, key_columns) }}
    )
{%- endmacro %}

{#-
    `with validated as {{ materialized_if_incremental() }} (...)`: the checked raw rows of a
    base model. An incremental run holds them (a few days of rows, read by several CTEs of
    classify_records); a full build computes them per read (not_materialized), as holding
    every raw row would cost more memory than reading them again.
-#}
{% macro materialized_if_incremental() -%}
    {%- if is_incremental() -%}
        {{ materialized() }}
    {%- else -%}
        {{ not_materialized() }}
    {%- endif -%}
{%- endmacro %}
