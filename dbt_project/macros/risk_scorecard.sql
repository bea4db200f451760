{#- Helpers of the risk models (intermediate/risk, marts/risk). -#}

{#-
    The scorecard's candidate features, in the order reason codes break ties: name ->
    'numeric' or 'categorical'. Every one is a column of int_risk_features_computed and of
    risk_training_set, and has a reason code in seeds/risk_reason_codes.csv. Protected
    attributes (gender, marital status, ethnicity, religion, ...) are not in this list and
    never in those models; the training asset refuses them again.
-#}
{% macro risk_candidate_features() -%}
    {{ return({
        'age_years': 'numeric',
        'city_tier': 'numeric',
        'occupation': 'categorical',
        'employer_type': 'categorical',
        'education': 'categorical',
        'employment_tenure_months': 'numeric',
        'tenure_months': 'numeric',
        'declared_monthly_income_amount': 'numeric',
        'income_source': 'categorical',
        'monthly_income_amount': 'numeric',
        'income_stability_cv': 'numeric',
        'deposit_balance_amount': 'numeric',
        'avg_deposit_balance_3m_amount': 'numeric',
        'avg_deposit_balance_12m_amount': 'numeric',
        'deposit_buffer_months': 'numeric',
        'external_debt_amount': 'numeric',
        'monthly_debt_service_amount': 'numeric',
        'debt_service_to_income_ratio': 'numeric',
        'delinquencies_24m': 'numeric',
        'inquiries_6m': 'numeric',
        'bureau_worst_days_past_due_24m': 'numeric',
        'internal_worst_days_past_due_24m': 'numeric',
        'late_instalments_24m': 'numeric',
        'overdraft_days_12m': 'numeric',
        'spend_to_inflow_ratio_12m': 'numeric',
    }) }}
{%- endmacro %}

{#-
    The candidate features of `relation` unpivoted to (row_id, feature, num_value, cat_value),
    the input of the scorecard's bin rule (docs/scorecard-tool.md). NaN never occurs: the
    feature models produce null for an unknown value.
-#}
{% macro unpivot_risk_features(relation, row_id) -%}
    {%- set features = risk_candidate_features() -%}
    {%- for feature, kind in features.items() %}
    select
        {{ row_id }} as row_id,
        '{{ feature }}' as feature,
        {%- if kind == 'numeric' %}
        cast({{ feature }} as {{ type_double() }}) as num_value,
        cast(null as {{ dbt.type_string() }}) as cat_value
        {%- else %}
        cast(null as {{ type_double() }}) as num_value,
        cast({{ feature }} as {{ dbt.type_string() }}) as cat_value
        {%- endif %}
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- JSON list membership of a text value (the categorical bin rule); DuckDB by default. -#}
{% macro json_list_contains(json_list, value) -%}
    {{ return(adapter.dispatch('json_list_contains')(json_list, value)) }}
{%- endmacro %}

{% macro default__json_list_contains(json_list, value) -%}
    list_contains(from_json({{ json_list }}, '["VARCHAR"]'), {{ value }})
{%- endmacro %}

{#-
    The scorecard's bin rule: every (row_id, feature) of `values_long` that the scorecard uses
    gets exactly one bin (the missing bin when nothing matches), with its points and the
    points lost against the feature's best bin.
-#}
{% macro scorecard_points(values_long, scorecard) -%}
    select
        values_long.row_id,
        values_long.feature,
        missing_bin.feature_order,
        coalesce(matched_bin.bin_index, missing_bin.bin_index) as bin_index,
        coalesce(matched_bin.points, missing_bin.points) as points,
        missing_bin.max_points_for_feature - coalesce(matched_bin.points, missing_bin.points) as points_lost,
        missing_bin.reason_code
    from {{ values_long }} as values_long
    left join {{ scorecard }} as matched_bin
        on matched_bin.feature = values_long.feature
        and not matched_bin.is_missing_bin
        and (
            (matched_bin.feature_type = 'numeric' and values_long.num_value is not null
                and (matched_bin.lower_bound is null or values_long.num_value >= matched_bin.lower_bound)
                and (matched_bin.upper_bound is null or values_long.num_value < matched_bin.upper_bound))
            or (matched_bin.feature_type = 'categorical'
                and {{ json_list_contains('matched_bin.categories', 'values_long.cat_value') }})
        )
    inner join {{ scorecard }} as missing_bin
        on missing_bin.feature = values_long.feature
        and missing_bin.is_missing_bin
{%- endmacro %}

{#- Calibrated PD of a score: 1 / (1 + exp(-(intercept + slope x score))). -#}
{% macro score_to_pd(score, intercept, slope) -%}
    (1.0 / (1.0 + exp(-({{ intercept }} + {{ slope }} * {{ score }}))))
{%- endmacro %}

{#- Population stability index term of one bin, shares floored at 0.0001. -#}
{% macro psi_term(expected_share, actual_share) -%}
    (
        (greatest({{ actual_share }}, 0.0001) - greatest({{ expected_share }}, 0.0001))
        * ln(greatest({{ actual_share }}, 0.0001) / greatest({{ expected_share }}, 0.0001))
    )
{%- endmacro %}
