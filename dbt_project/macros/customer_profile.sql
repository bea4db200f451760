{#- Helpers of the customer profile models (intermediate/ and marts/customer/). -#}

{#- Whole calendar months from start_date to end_date (a month counts once its day is reached). -#}
{% macro whole_months_between(start_date, end_date) -%}
    (
        {{ dbt.datediff(start_date, end_date, 'month') }}
        - case
            when extract(day from {{ end_date }}) < extract(day from {{ start_date }}) then 1
            else 0
        end
    )
{%- endmacro %}

{#- Whole years of age (or of anything) from start_date to end_date. -#}
{% macro whole_years_between(start_date, end_date) -%}
    floor({{ whole_months_between(start_date, end_date) }} / 12)
{%- endmacro %}

{#- numerator / denominator, null when the denominator is 0 or null. -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_double() }}) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- One rule value from seeds/income_detection_rules.csv, in a CTE that pivots the rules. -#}
{% macro rule_value(rule_name) -%}
    max(case when rule_name = '{{ rule_name }}' then rule_value end)
{%- endmacro %}

{#- Consumption categories that get a *_spend_pct column (seeds/merchant_categories.csv plus 'uncategorised'). -#}
{% macro consumption_categories() -%}
    {{ return([
        'groceries', 'dining', 'transport', 'travel', 'shopping', 'online_shopping',
        'utilities', 'health', 'education', 'entertainment', 'property', 'home_furnishing',
        'business_supplies', 'business_services', 'insurance', 'uncategorised',
    ]) }}
{%- endmacro %}

{#- Channels whose share of customer-initiated transactions is profiled. -#}
{% macro profiled_channels() -%}
    {{ return(['mobile_app', 'online', 'branch', 'atm', 'pos', 'third_party']) }}
{%- endmacro %}

{#- Product families counted in holdings and page views (seeds/products.csv). -#}
{% macro product_families() -%}
    {{ return(['deposit', 'wealth', 'insurance', 'credit_card', 'consumer_loan', 'mortgage', 'business_loan']) }}
{%- endmacro %}

{#- Double-precision float for ratios and shares (dbt.type_float() is a 4-byte real on DuckDB). -#}
{% macro type_double() -%}
    double precision
{%- endmacro %}
