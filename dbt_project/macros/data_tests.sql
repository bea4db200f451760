{#-
    The rows of `model` whose `columns` repeat, with their number of copies (rows matching
    `where` only, when given): what the uniqueness tests return.

    On DuckDB a 64-bit hash of the key is grouped first, a narrow aggregate, and only the
    rows whose hash repeats are grouped by their real values. The result is exactly the
    plain query's, since equal keys have equal hashes; a collision only adds rows to the
    second, exact step. Grouping 100 M text keys at once spills at a million customers:
    the hash first takes about a third less time there (docs/benchmarks.md).
-#}
{% macro repeated_keys(model, columns, where=none) -%}
    {{ return(adapter.dispatch('repeated_keys', 'bankprofile')(model, columns, where)) }}
{%- endmacro %}

{% macro default__repeated_keys(model, columns, where) -%}
    select {{ columns | join(', ') }}, count(*) as copies
    from {{ model }}
    {% if where %}where {{ where }}{% endif %}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{%- endmacro %}

{% macro duckdb__repeated_keys(model, columns, where) -%}
    {%- set key = columns | join(', ') -%}
    select {{ key }}, count(*) as copies
    from {{ model }}
    where hash({{ key }}) in (
        select hash({{ key }})
        from {{ model }}
        {% if where %}where {{ where }}{% endif %}
        group by hash({{ key }})
        having count(*) > 1
    )
    {% if where %}and {{ where }}{% endif %}
    group by {{ key }}
    having count(*) > 1
{%- endmacro %}

{#- dbt's own `unique` test on DuckDB: the same result columns, found hash first. -#}
{% macro duckdb__test_unique(model, column_name) %}
select {{ column_name }} as unique_field, copies as n_records
from ({{ repeated_keys(model, [column_name], column_name ~ ' is not null') }}) as repeated
{% endmacro %}
