{#-
    The credit policy (seeds/risk_policy_grid.csv, risk_parameters.csv) applied to every
    scored customer: decision approve / refer / decline, credit limit, interest rate and
    whether a guarantee or collateral is required, with 1-4 reason codes for every decline,
    refer and guarantee (policy reasons first, then the score's reason codes).

    limit = min(income_multiple x verified monthly income, the loan whose annuity over
    limit_reference_term_months at the offered rate fits under dti_ceiling x income after
    the current debt service), rounded down to limit_rounding_amount. Policy overrides of
    the grade's decision: no verified income, debt service already above the ceiling, or a
    limit below min_credit_limit_amount decline.
-#}

with

risk_scores as (
    select * from {{ ref('risk_scores') }}
),

risk_features as (
    select * from {{ ref('int_risk_features_computed') }}
),

risk_policy_grid as (
    select * from {{ ref('risk_policy_grid') }}
),

risk_reason_codes as (
    select * from {{ ref('risk_reason_codes') }}
),

parameters as (
    select
        {{ risk_parameter('base_interest_rate') }} as base_interest_rate,
        {{ risk_parameter('limit_reference_term_months') }} as reference_term_months,
        {{ risk_parameter('limit_rounding_amount') }} as limit_rounding_amount,
        {{ risk_parameter('min_credit_limit_amount') }} as min_credit_limit_amount
),

assessed as (
    select
        risk_scores.customer_id,
        risk_scores.as_of_date,
        risk_scores.model_id,
        risk_scores.risk_grade,
        risk_scores.score,
        risk_scores.pd_12m,
        risk_scores.reason_code_1,
        risk_scores.reason_code_2,
        risk_scores.reason_code_3,
        risk_scores.reason_code_4,
        coalesce(risk_features.monthly_income_amount, 0) as verified_monthly_income_amount,
        risk_features.monthly_debt_service_amount + risk_features.external_debt_service_amount
            as current_debt_service_amount,
        risk_policy_grid.decision as grade_decision,
        risk_policy_grid.income_multiple,
        risk_policy_grid.dti_ceiling,
        risk_policy_grid.guarantee_required,
        parameters.base_interest_rate + risk_policy_grid.rate_spread as interest_rate,
        parameters.reference_term_months,
        parameters.limit_rounding_amount,
        parameters.min_credit_limit_amount
    from risk_scores
    inner join risk_features
        on risk_scores.customer_id = risk_features.customer_id
        and risk_scores.as_of_date = risk_features.as_of_date
    inner join risk_policy_grid
        on risk_scores.risk_grade = risk_policy_grid.grade
    cross join parameters
),

limits as (
    select
        assessed.*,
        assessed.verified_monthly_income_amount <= 0 as has_no_verified_income,
        assessed.verified_monthly_income_amount > 0
            and assessed.current_debt_service_amount
                >= assessed.dti_ceiling * assessed.verified_monthly_income_amount
            as is_dti_above_ceiling,
        greatest(
            least(
                assessed.income_multiple * assessed.verified_monthly_income_amount,
                (assessed.dti_ceiling * assessed.verified_monthly_income_amount - assessed.current_debt_service_amount)
                    * (1 - power(1 + assessed.interest_rate / 12, -assessed.reference_term_months))
                    / (assessed.interest_rate / 12)
            ),
            0
        ) as affordable_limit_amount
    from assessed
),

decided as (
    select
        limits.*,
        floor(affordable_limit_amount / limit_rounding_amount) * limit_rounding_amount as rounded_limit_amount,
        case
            when grade_decision = 'decline' then 'decline'
            when has_no_verified_income or is_dti_above_ceiling then 'decline'
            when floor(affordable_limit_amount / limit_rounding_amount) * limit_rounding_amount
                < min_credit_limit_amount then 'decline'
            else grade_decision
        end as decision
    from limits
),

policy_reasons as (
    select
        decided.*,
        case when has_no_verified_income then 'RC_POLICY_NO_VERIFIED_INCOME' end as policy_code_1,
        case when is_dti_above_ceiling then 'RC_POLICY_DTI_ABOVE_CEILING' end as policy_code_2,
        case
            when grade_decision <> 'decline' and not has_no_verified_income and not is_dti_above_ceiling
                and rounded_limit_amount < min_credit_limit_amount
                then 'RC_POLICY_LIMIT_TOO_LOW'
        end as policy_code_3
    from decided
),

{#- Candidate codes in order: policy reasons, then the score's; the first four are kept. -#}
candidate_codes as (
    {%- set candidates = [
        ('policy_code_1', 1), ('policy_code_2', 2), ('policy_code_3', 3),
        ('reason_code_1', 4), ('reason_code_2', 5), ('reason_code_3', 6), ('reason_code_4', 7),
    ] %}
    {%- for column, position in candidates %}
    select customer_id, {{ column }} as reason_code, {{ position }} as position
    from policy_reasons
    where {{ column }} is not null
    union all
    {% endfor %}
    {#- a refer or guarantee with no lost points still gets a reason: the grade #}
    select customer_id, 'RC_POLICY_RISK_GRADE' as reason_code, 8 as position
    from policy_reasons
    where reason_code_1 is null
),

ranked_codes as (
    select
        candidate_codes.customer_id,
        candidate_codes.reason_code,
        row_number() over (
            partition by candidate_codes.customer_id order by candidate_codes.position
        ) as code_rank
    from candidate_codes
    inner join risk_reason_codes
        on candidate_codes.reason_code = risk_reason_codes.reason_code
),

decision_codes as (
    select
        customer_id,
        {%- for rank in range(1, 5) %}
        max(case when code_rank = {{ rank }} then reason_code end) as code_{{ rank }},
        {%- endfor %}
        {{ dbt.listagg('reason_code', "'|'", 'order by code_rank') }} as codes
    from ranked_codes
    where code_rank <= 4
    group by customer_id
),

final as (
    select
        policy_reasons.customer_id,
        policy_reasons.as_of_date,
        policy_reasons.model_id,
        policy_reasons.risk_grade,
        policy_reasons.score,
        policy_reasons.pd_12m,
        policy_reasons.decision,
        cast(case when policy_reasons.decision = 'decline' then 0 else policy_reasons.rounded_limit_amount end
            as decimal(18, 2)) as credit_limit_amount,
        cast(case when policy_reasons.decision <> 'decline' then policy_reasons.interest_rate end
            as decimal(8, 5)) as interest_rate,
        policy_reasons.decision <> 'decline' and policy_reasons.guarantee_required as is_guarantee_required,
        cast(policy_reasons.verified_monthly_income_amount as decimal(18, 2)) as verified_monthly_income_amount,
        cast(policy_reasons.current_debt_service_amount as decimal(18, 2)) as current_debt_service_amount,
        {%- set explained = "(policy_reasons.decision in ('decline', 'refer') or (policy_reasons.decision <> 'decline' and policy_reasons.guarantee_required))" %}
        {%- for rank in range(1, 5) %}
        case when {{ explained }} then decision_codes.code_{{ rank }} end as reason_code_{{ rank }},
        {%- endfor %}
        case when {{ explained }} then decision_codes.codes end as reason_codes
    from policy_reasons
    left join decision_codes
        on policy_reasons.customer_id = decision_codes.customer_id
)

select * from final
