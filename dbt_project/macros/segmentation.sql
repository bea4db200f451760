{#-
    Helpers of the segmentation models (intermediate/segmentation/, marts/segmentation/).

    Rule seeds (seeds/segment_rules.csv, value_tier_rules.csv, lifecycle_stage_rules.csv)
    hold one row per condition: rule_id, the outcome code, priority, feature, operator,
    threshold. A rule matches when all of its conditions hold; a customer gets the outcome
    of the matching rule with the lowest priority number (ties: lowest rule_id).
-#}

{#- Operators a rule condition may use (a data test on every rule seed keeps to this list). -#}
{% macro segmentation_rule_operators() -%}
    {{ return(['=', '<>', '<', '<=', '>', '>=', 'in', 'not_in', 'is_null', 'not_null', 'always']) }}
{%- endmacro %}


{#-
    Every column of `relation` except `key_column` as rows (key_column, feature, value_text),
    values cast to text; null values give no row. DuckDB: UNPIVOT over COLUMNS(*), so a
    column added to customer_features is at once a feature the rule seeds can use, and
    `relation` may be a CTE. Other adapters: a union of one select per column, the columns
    given as `column_names` or read from `relation` (which must then be a relation).
-#}
{% macro unpivot_to_text(relation, key_column, column_names=none) -%}
    {{ return(adapter.dispatch('unpivot_to_text', 'bankprofile')(relation, key_column, column_names)) }}
{%- endmacro %}

{% macro duckdb__unpivot_to_text(relation, key_column, column_names=none) -%}
    unpivot (
        select
            {{ key_column }},
            cast(columns(* exclude ({{ key_column }})) as {{ dbt.type_string() }})
        from {{ relation }}
    )
    on columns(* exclude ({{ key_column }}))
    into name feature value value_text
{%- endmacro %}

{% macro default__unpivot_to_text(relation, key_column, column_names=none) -%}
    {%- if column_names is none -%}
        {%- set column_names = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {%- endif -%}
    {%- for column_name in column_names if column_name | lower != key_column | lower %}
    select
        {{ key_column }},
        '{{ column_name }}' as feature,
        cast({{ adapter.quote(column_name) }} as {{ dbt.type_string() }}) as value_text
    from {{ relation }}
    where {{ adapter.quote(column_name) }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{#- A text as a double, null when it is not a number (dbt.safe_cast is a plain cast on DuckDB). -#}
{% macro text_to_double(expression) -%}
    {{ return(adapter.dispatch('text_to_double', 'bankprofile')(expression)) }}
{%- endmacro %}

{% macro duckdb__text_to_double(expression) -%}
    try_cast({{ expression }} as {{ type_double() }})
{%- endmacro %}

{% macro default__text_to_double(expression) -%}
    {{ dbt.safe_cast(expression, type_double()) }}
{%- endmacro %}


{#- A JSON object {key: value, ...} of text values, aggregated over the rows of a group. -#}
{% macro json_object_agg(key, value) -%}
    {{ return(adapter.dispatch('json_object_agg', 'bankprofile')(key, value)) }}
{%- endmacro %}

{% macro duckdb__json_object_agg(key, value) -%}
    ('{' || string_agg(to_json({{ key }}) || ':' || to_json({{ value }}), ',' order by {{ key }}) || '}')
{%- endmacro %}

{% macro default__json_object_agg(key, value) -%}
    {#- Keys and values are feature names and codes/numbers: quotes and backslashes escaped. -#}
    '{' || {{ dbt.listagg(
        "'\"' || replace(replace(" ~ key ~ ", '\\\\', '\\\\\\\\'), '\"', '\\\\\"') || '\":\"' || "
        ~ "replace(replace(" ~ value ~ ", '\\\\', '\\\\\\\\'), '\"', '\\\\\"') || '\"'",
        "','",
        "order by " ~ key
    ) }} || '}'
{%- endmacro %}


{#-
    CTEs (each followed by a comma) that give every customer_id of `customers` the outcome
    of the first rule of `rules` it matches, reading its features from `feature_values`
    (customer_id, feature, value_text; see unpivot_to_text),
    ending in the CTE <prefix>_assigned:
        customer_id, <outcome_column>, matched_rule_id, matched_priority, evidence_json
    evidence_json holds the values of the features the matched rule tested ({} for a rule
    that always matches). A customer matching no rule gets no row: every rule seed ends with
    an `always` fallback, and the marts test that every customer has an outcome.

    Comparison operators compare as numbers when both sides parse as numbers, else as
    text; `in` / `not_in` take a |-separated list; a missing (null) feature fails every
    operator except is_null.
-#}
{% macro rule_assignment_ctes(customers, feature_values, rules, outcome_column, prefix) -%}
    {%- set value_number = text_to_double(prefix ~ '_values.value_text') -%}
    {%- set threshold_number = text_to_double(prefix ~ '_conditions.threshold') -%}
    {%- set list_match -%}
        {{ dbt.position(
            dbt.concat(["'|'", prefix ~ '_values.value_text', "'|'"]),
            dbt.concat(["'|'", prefix ~ '_conditions.threshold', "'|'"])
        ) }} > 0
    {%- endset -%}

{{ prefix }}_conditions as (
    select
        rule_id,
        {{ outcome_column }},
        priority,
        feature,
        operator,
        threshold
    from {{ rules }}
),

{{ prefix }}_values as (
    select {{ feature_values }}.*
    from {{ feature_values }}
    where feature in (select feature from {{ prefix }}_conditions)
),

{{ prefix }}_customer_conditions as (
    select
        {{ prefix }}_customers.customer_id,
        {{ prefix }}_conditions.rule_id,
        {{ prefix }}_conditions.{{ outcome_column }},
        {{ prefix }}_conditions.priority,
        {{ prefix }}_conditions.feature,
        {{ prefix }}_conditions.operator,
        {{ prefix }}_values.value_text,
        case
            when {{ prefix }}_conditions.operator = 'always' then true
            when {{ prefix }}_conditions.operator = 'is_null' then {{ prefix }}_values.value_text is null
            when {{ prefix }}_conditions.operator = 'not_null' then {{ prefix }}_values.value_text is not null
            when {{ prefix }}_values.value_text is null then false
            when {{ prefix }}_conditions.operator = 'in' then {{ list_match }}
            when {{ prefix }}_conditions.operator = 'not_in' then not ({{ list_match }})
            when {{ value_number }} is not null and {{ threshold_number }} is not null then
                case {{ prefix }}_conditions.operator
                    when '=' then {{ value_number }} = {{ threshold_number }}
                    when '<>' then {{ value_number }} <> {{ threshold_number }}
                    when '<' then {{ value_number }} < {{ threshold_number }}
                    when '<=' then {{ value_number }} <= {{ threshold_number }}
                    when '>' then {{ value_number }} > {{ threshold_number }}
                    when '>=' then {{ value_number }} >= {{ threshold_number }}
                end
            else
                case {{ prefix }}_conditions.operator
                    when '=' then {{ prefix }}_values.value_text = {{ prefix }}_conditions.threshold
                    when '<>' then {{ prefix }}_values.value_text <> {{ prefix }}_conditions.threshold
                    when '<' then {{ prefix }}_values.value_text < {{ prefix }}_conditions.threshold
                    when '<=' then {{ prefix }}_values.value_text <= {{ prefix }}_conditions.threshold
                    when '>' then {{ prefix }}_values.value_text > {{ prefix }}_conditions.threshold
                    when '>=' then {{ prefix }}_values.value_text >= {{ prefix }}_conditions.threshold
                end
        end as is_met
    from (select distinct customer_id from {{ customers }}) as {{ prefix }}_customers
    cross join {{ prefix }}_conditions
    left join {{ prefix }}_values
        on {{ prefix }}_customers.customer_id = {{ prefix }}_values.customer_id
        and {{ prefix }}_conditions.feature = {{ prefix }}_values.feature
),

{{ prefix }}_ranked_rules as (
    select
        customer_id,
        rule_id,
        {{ outcome_column }},
        priority,
        row_number() over (partition by customer_id order by priority, rule_id) as match_rank
    from {{ prefix }}_customer_conditions
    group by customer_id, rule_id, {{ outcome_column }}, priority
    having min(case when is_met then 1 else 0 end) = 1
),

{{ prefix }}_evidence as (
    select
        {{ prefix }}_ranked_rules.customer_id,
        {{ json_object_agg(prefix ~ '_customer_conditions.feature', "coalesce(" ~ prefix ~ "_customer_conditions.value_text, 'null')") }}
            as evidence_json
    from {{ prefix }}_ranked_rules
    inner join {{ prefix }}_customer_conditions
        on {{ prefix }}_ranked_rules.customer_id = {{ prefix }}_customer_conditions.customer_id
        and {{ prefix }}_ranked_rules.rule_id = {{ prefix }}_customer_conditions.rule_id
    where {{ prefix }}_ranked_rules.match_rank = 1
        and {{ prefix }}_customer_conditions.operator <> 'always'
    group by {{ prefix }}_ranked_rules.customer_id
),

{{ prefix }}_assigned as (
    select
        {{ prefix }}_ranked_rules.customer_id,
        {{ prefix }}_ranked_rules.{{ outcome_column }},
        {{ prefix }}_ranked_rules.rule_id as matched_rule_id,
        {{ prefix }}_ranked_rules.priority as matched_priority,
        coalesce({{ prefix }}_evidence.evidence_json, '{}') as evidence_json
    from {{ prefix }}_ranked_rules
    left join {{ prefix }}_evidence
        on {{ prefix }}_ranked_rules.customer_id = {{ prefix }}_evidence.customer_id
    where {{ prefix }}_ranked_rules.match_rank = 1
),
{%- endmacro %}


{#-
    Generic test on the `feature` column of a rule seed: every feature is a column of one of
    `relations` or one of the names in `also` (features derived in customer_segments), so a
    typo in a seed fails the build instead of silently matching nobody. Empty features
    (`always` conditions) pass.
-#}
{% test is_feature_of(model, column_name, relations, also=[]) %}
    {%- set known = [] -%}
    {%- for name in also -%}
        {%- do known.append(name | lower) -%}
    {%- endfor -%}
    {%- if execute -%}
        {%- for relation in relations -%}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- do known.append(column.name | lower) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
        and lower({{ column_name }}) not in (
            {%- for name in known %}'{{ name }}'{% if not loop.last %}, {% endif %}{% endfor -%}
            {%- if not known %}''{% endif -%}
        )
{% endtest %}


{#- Generic test: no two rows of the model share the values of `columns` (its grain). -#}
{% test is_unique_grain(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as rows_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
