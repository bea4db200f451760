{#-
    Where every raw row went, per table. Raw is counted from the source, staged from the
    staging model and quarantined from the quarantine model, so the balance checks the
    models themselves, not one table against itself:
        raw_rows = staged_rows + quarantined_rows + exact_duplicate_rows + superseded_rows
-#}

with

{% for table_name in var('core_banking_tables') %}
{{ table_name }}_raw as (
    select count(*) as row_count from {{ source('core_banking', table_name) }}
),

{{ table_name }}_staged as (
    select count(*) as row_count from {{ ref('stg_core_banking__' ~ table_name) }}
),

{{ table_name }}_set_aside as (
    select
        cast(sum(case when _record_status = 'exact_duplicate' then 1 else 0 end) as bigint) as exact_duplicates,
        cast(sum(case when _record_status = 'superseded' then 1 else 0 end) as bigint) as superseded
    from {{ ref('base_core_banking__' ~ table_name) }}
),

{% endfor %}
quarantined as (
    select table_name, count(*) as row_count
    from {{ ref('stg_core_banking__quarantine') }}
    group by table_name
),

tables as (
    {% for table_name in var('core_banking_tables') %}
    select
        '{{ table_name }}' as table_name,
        {{ table_name }}_raw.row_count as raw_rows,
        {{ table_name }}_staged.row_count as staged_rows,
        coalesce({{ table_name }}_set_aside.exact_duplicates, 0) as exact_duplicate_rows,
        coalesce({{ table_name }}_set_aside.superseded, 0) as superseded_rows
    from {{ table_name }}_raw
    cross join {{ table_name }}_staged
    cross join {{ table_name }}_set_aside
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        tables.table_name,
        tables.raw_rows,
        tables.staged_rows,
        coalesce(quarantined.row_count, 0) as quarantined_rows,
        tables.exact_duplicate_rows,
        tables.superseded_rows,
        tables.raw_rows - tables.staged_rows - coalesce(quarantined.row_count, 0)
            - tables.exact_duplicate_rows - tables.superseded_rows as unaccounted_rows
    from tables
    left join quarantined
        on tables.table_name = quarantined.table_name
)

select * from final
