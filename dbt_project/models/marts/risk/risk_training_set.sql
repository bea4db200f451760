{#-
    The development sample of the application scorecard: one row per loan originated at
    least 12 months before as_of_date that has a usable as-of profile (a credit bureau
    report dated before origination, as every application file has), with the features as
    the bank knew them on the day before origination (int_risk_features_computed) plus the
    applied loan's instalment in the debt service, and the observed outcome (90+ days past
    due within 12 months).
-#}

{%- set features = risk_candidate_features() -%}

with

loan_outcomes as (
    select * from {{ ref('int_loan_outcomes_observed') }}
),

risk_features as (
    select * from {{ ref('int_risk_features_computed') }}
),

joined as (
    select
        loan_outcomes.*,
        risk_features.income_observed_months,
        risk_features.bureau_report_date,
        risk_features.assessed_monthly_income_amount,
        {%- for feature in features if feature not in ('monthly_debt_service_amount', 'debt_service_to_income_ratio') %}
        risk_features.{{ feature }},
        {%- endfor %}
        risk_features.monthly_debt_service_amount + loan_outcomes.instalment_amount
            as monthly_debt_service_amount,
        {{ safe_divide(
            'risk_features.monthly_debt_service_amount + loan_outcomes.instalment_amount'
            ~ ' + risk_features.external_debt_service_amount',
            'risk_features.assessed_monthly_income_amount'
        ) }} as debt_service_to_income_ratio
    from loan_outcomes
    inner join risk_features
        on loan_outcomes.customer_id = risk_features.customer_id
        and loan_outcomes.features_as_of_date = risk_features.as_of_date
    where risk_features.bureau_report_date is not null
),

final as (
    select
        loan_id,
        customer_id,
        loan_type,
        collateral_type,
        principal_amount,
        interest_rate,
        term_months,
        originated_date,
        features_as_of_date,
        cast(instalment_amount as decimal(18, 2)) as instalment_amount,
        income_observed_months,
        bureau_report_date,
        assessed_monthly_income_amount,
        {%- for feature, kind in features.items() %}
        {%- if feature == 'monthly_debt_service_amount' %}
        cast(monthly_debt_service_amount as decimal(18, 2)) as monthly_debt_service_amount,
        {%- elif feature == 'debt_service_to_income_ratio' %}
        cast(debt_service_to_income_ratio as {{ type_double() }}) as debt_service_to_income_ratio,
        {%- else %}
        {{ feature }},
        {%- endif %}
        {%- endfor %}
        first_90_dpd_date,
        cast(is_defaulted_12m as integer) as is_defaulted_12m
    from joined
)

select * from final
