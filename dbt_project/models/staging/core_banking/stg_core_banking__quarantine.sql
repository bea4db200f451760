{#-
    Every raw row that staging refused, one row each, with the rule it failed. The row
    itself stays in raw (found by _source_file and _row_number); no business columns are
    copied here, so no PII either.
-#}

with

{% for table_name, key_columns in var('core_banking_tables').items() %}
{{ table_name }} as (
    select
        '{{ table_name }}' as table_name,
        {{ dbt.concat(key_columns | list) if key_columns | length > 1 else key_columns[0] }} as record_key,
        quarantine_reason,
        _source_file,
        _row_number,
        _extract_date,
        _loaded_at
    from {{ ref('base_core_banking__' ~ table_name) }}
    where _record_status = 'quarantined'
),

{% endfor %}
final as (
    {% for table_name in var('core_banking_tables') %}
    select * from {{ table_name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
