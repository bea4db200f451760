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

    When every row was written since the last pass (a full refresh, the first build), the
    test reads every row with a plain count: the keys-written form would read them all too,
    at twice the cost. The var `test_every_row: true` reads every row without a rebuild,
    e.g. after a table was changed outside dbt.
-#}

{#- The start of this run, written into every row a run writes (`_built_at`). -#}
{% macro built_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{% macro data_test_passes() -%}
    {{ return(api.Relation.create(database=target.database, schema=target.schema, identifier='data_test_passes')) }}
{%- endmacro %}

{#- One name per test: the test, the table it reads and its columns. -#}
{% macro data_test_name(test_name, model_name, columns) -%}
    {{ test_name }}:{{ model_name }}:{{ columns | join(',') }}
{%- endmacro %}

{#-
    When the named test last passed, as text, if `model` holds a row written before then;
    otherwise none, and the test reads every row: before its first pass, after a full
    refresh (every row written since), or with `test_every_row`. Asked as the test runs:
    dbt compiles a test just before running it, after on-run-start.
-#}
{% macro last_pass_to_read_from(test_key, model, written_at) -%}
    {%- if not execute or var('test_every_row', false) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set passes = data_test_passes() -%}
    {#- absent when nothing ran on-run-start, e.g. in `dbt compile` -#}
    {%- if load_relation(passes) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set last_pass = run_query(
        "select cast(max(passed_at) as varchar), (select min(" ~ written_at ~ ") from " ~ model ~ ") <= max(passed_at)"
        ~ " from " ~ passes ~ " where test_name = '" ~ test_key ~ "'"
    ).rows[0] -%}
    {{ return(last_pass[0] if last_pass[1] else none) }}
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
