{#-
    Uniqueness tests of the big incremental tables read only the keys written since they
    last passed, not the whole history (test unique_combination, argument `written_at`).

    Each such table stamps the rows a run writes with `_built_at` (macro built_at: the run's
    start). When one of these tests passes, the run's start is recorded in
    data_test_passes (on-run-end hook record_data_test_passes). The next run's test looks
    up its last pass and counts every row of each key written after it, old rows included.
    A key with no row written since then was unique when the test last passed, and no run
    has written a row of it since, so it is still unique. A test that failed records
    nothing: the next run reads the failed run's rows again.

    A full refresh writes every row again, so it checks every row. The var
    `test_every_row: true` does the same without rebuilding, e.g. after a table was changed
    outside dbt.
-#}

{#- The start of this run, written into every row a run writes (`_built_at`). -#}
{% macro built_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{% macro data_test_passes() -%}
    {{ api.Relation.create(database=target.database, schema=target.schema, identifier='data_test_passes') }}
{%- endmacro %}

{#- One name per test: the test, the table it reads and its columns. -#}
{% macro data_test_name(test_name, model_name, columns) -%}
    {{ test_name }}:{{ model_name }}:{{ columns | join(',') }}
{%- endmacro %}

{#- When the named test last passed; before its first pass, a day before any row. -#}
{% macro last_passed_at(test_key) -%}
    {%- if var('test_every_row', false) -%}
        cast('1900-01-01' as timestamp)
    {%- else -%}
        coalesce(
            (select max(passed_at) from {{ data_test_passes() }} where test_name = '{{ test_key }}'),
            cast('1900-01-01' as timestamp)
        )
    {%- endif -%}
{%- endmacro %}

{#- on-run-start -#}
{% macro create_data_test_passes() -%}
    create table if not exists {{ data_test_passes() }} (
        test_name varchar not null,
        passed_at timestamp not null
    )
{%- endmacro %}

{#- on-run-end: every test given `written_at` that passed in this run. -#}
{% macro record_data_test_passes(results) -%}
    {%- set passed = [] -%}
    {%- for result in results -%}
        {%- set node = result.node -%}
        {%- if node.resource_type == 'test' and result.status == 'pass' and node.test_metadata
            and node.test_metadata.kwargs.get('written_at') -%}
            {%- set tested = graph.nodes[node.attached_node] -%}
            {%- do passed.append(data_test_name(
                node.test_metadata.name, tested.alias, node.test_metadata.kwargs['columns']
            )) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if passed -%}
        insert into {{ data_test_passes() }} (test_name, passed_at) values
        {%- for test_key in passed %}
            ('{{ test_key }}', {{ built_at() }}){% if not loop.last %},{% endif %}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}
