{#-
    The business day every customer profile is computed as of. var('as_of_date') when it is
    set (e.g. --vars '{as_of_date: 2026-06-30}'); otherwise the latest booked transaction day,
    read from stg_core_banking__transactions when the model compiles. Models filter every
    input on its event date <= this day, so a rebuild with the same as_of_date ignores any
    data booked later.

    The default looks the staging relation up in the graph rather than through ref(), so a
    model that uses it does not gain a ref (and its unit tests need no extra `given`); every
    model that calls it depends on stg_core_banking__transactions through
    int_transactions_enriched anyway.
-#}
{% macro as_of_date() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured -%}
        cast('{{ configured }}' as date)
    {%- elif execute -%}
        {%- set latest = latest_booked_date() -%}
        {%- if latest is none -%}
            {{ exceptions.raise_compiler_error(
                "as_of_date is not set and stg_core_banking__transactions has no rows to take "
                ~ "the latest booked day from; set --vars '{as_of_date: YYYY-MM-DD}'."
            ) }}
        {%- endif -%}
        cast('{{ latest }}' as date)
    {%- else -%}
        cast(null as date)
    {%- endif -%}
{%- endmacro %}

{% macro latest_booked_date() -%}
    {%- set node = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', 'stg_core_banking__transactions')
        | first -%}
    {#- One query per dbt invocation, not one per call: the answer is kept on the graph, which
        every node of the invocation shares (a scan of every transaction, 19 calls a build). -#}
    {%- if 'bankprofile_latest_booked_date' not in node -%}
        {%- set relation = api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias
        ) -%}
        {%- set result = run_query(
            'select cast(max(booked_at) as date) as latest_booked_date from ' ~ relation
        ) -%}
        {%- do node.update({'bankprofile_latest_booked_date': result.columns[0].values()[0]}) -%}
    {%- endif -%}
    {{ return(node['bankprofile_latest_booked_date']) }}
{%- endmacro %}
