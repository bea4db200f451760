{#-
    Point-in-time credit features for every (customer_id, as_of_date) the risk models need:
      - the day before the origination of each loan in int_loan_outcomes_observed (what the
        bank knew when it decided on the application), and
      - as_of_date() for every customer onboarded by then (the customers risk_scores scores),
      - the stability reference day, stability_reference_months before as_of_date(), for
        every customer onboarded by then (the population risk_score_stability compares the
        current one with).
    Each pair only reads inputs dated on or before its as_of_date (macros in
    macros/risk_point_in_time.sql). A feature whose source has no record before the day is
    null (unknown), not 0: e.g. no bureau report yet, or an as-of day before the first booked
    transaction. Debt service includes the bank's running loans only; risk_training_set adds
    the applied loan's instalment.
-#}

with

customers as (
    select * from {{ ref('stg_core_banking__customers') }}
),

-- read by three parts below: each reads only the columns it needs, and no copy is held
transactions as {{ not_materialized() }} (
    select * from {{ ref('int_transactions_enriched') }}
),

daily_balances as (
    select * from {{ ref('int_balances_aggregated_daily') }}
),

loans as (
    select * from {{ ref('stg_core_banking__loans') }}
),

loan_repayments as (
    select * from {{ ref('stg_core_banking__loan_repayments') }}
),

credit_bureau_reports as (
    select * from {{ ref('stg_core_banking__credit_bureau_reports') }}
),

loan_outcomes as (
    select * from {{ ref('int_loan_outcomes_observed') }}
),

as_of as (
    select
        {{ as_of_date() }} as as_of_date,
        cast({{ dbt.dateadd(
            'month', 'cast(-1 * ' ~ risk_parameter('stability_reference_months') ~ ' as integer)', as_of_date()
        ) }} as date) as reference_date
),

history as (
    select min(booked_date) as history_start_date
    from transactions
),

spine as (
    select distinct
        customer_id,
        features_as_of_date as as_of_date
    from loan_outcomes
    union
    select
        customers.customer_id,
        as_of.as_of_date
    from customers
    cross join as_of
    where cast(customers.created_at as date) <= as_of.as_of_date
    union
    select
        customers.customer_id,
        as_of.reference_date as as_of_date
    from customers
    cross join as_of
    where cast(customers.created_at as date) <= as_of.reference_date
),

attributes as (
    {{ pit_customer_attributes('spine', 'customers') }}
),

income as (
    {{ pit_income_detected('spine', 'transactions', 'customers', '(select history_start_date from history)') }}
),

balances as (
    {{ pit_balances('spine', 'daily_balances') }}
),

conduct as (
    {{ pit_account_conduct('spine', 'transactions') }}
),

bureau as (
    {{ pit_bureau_report('spine', 'credit_bureau_reports') }}
),

repayments as (
    {{ pit_repayment_conduct('spine', 'loans', 'loan_repayments') }}
),

debt_service as (
    {{ pit_debt_service('spine', 'loans', risk_parameter('card_payment_rate')) }}
),

joined as (
    select
        attributes.*,
        income.observed_months,
        income.income_source,
        income.monthly_income_amount,
        income.income_stability_cv,
        balances.deposit_balance_amount,
        balances.avg_deposit_balance_3m_amount,
        balances.avg_deposit_balance_12m_amount,
        case when income.observed_months is not null then coalesce(conduct.overdraft_days_12m, 0) end
            as overdraft_days_12m,
        {{ safe_divide('conduct.spend_12m_amount', 'conduct.external_inflow_12m_amount') }}
            as spend_to_inflow_ratio_12m,
        bureau.bureau_report_date,
        bureau.external_debt_amount,
        bureau.delinquencies_24m,
        bureau.inquiries_6m,
        bureau.bureau_worst_days_past_due_24m,
        repayments.internal_worst_days_past_due_24m,
        coalesce(repayments.late_instalments_24m, 0) as late_instalments_24m,
        coalesce(debt_service.active_loans_count, 0) as active_loans_count,
        coalesce(debt_service.monthly_debt_service_amount, 0) as monthly_debt_service_amount,
        {#- Income the ratios divide by: verified from inflows, else declared, floored. -#}
        greatest(
            coalesce(nullif(income.monthly_income_amount, 0), attributes.declared_monthly_income_amount, 0),
            {{ risk_parameter('income_floor_amount') }}
        ) as assessed_monthly_income_amount,
        {{ risk_parameter('external_debt_service_rate') }} * coalesce(bureau.external_debt_amount, 0)
            as external_debt_service_amount
    from attributes
    left join income
        on attributes.customer_id = income.customer_id
        and attributes.as_of_date = income.as_of_date
    left join balances
        on attributes.customer_id = balances.customer_id
        and attributes.as_of_date = balances.as_of_date
    left join conduct
        on attributes.customer_id = conduct.customer_id
        and attributes.as_of_date = conduct.as_of_date
    left join bureau
        on attributes.customer_id = bureau.customer_id
        and attributes.as_of_date = bureau.as_of_date
    left join repayments
        on attributes.customer_id = repayments.customer_id
        and attributes.as_of_date = repayments.as_of_date
    left join debt_service
        on attributes.customer_id = debt_service.customer_id
        and attributes.as_of_date = debt_service.as_of_date
),

final as (
    select
        customer_id,
        as_of_date,
        age_years,
        city_tier,
        occupation,
        employer_type,
        education,
        tenure_months,
        employment_tenure_months,
        cast(declared_monthly_income_amount as decimal(18, 2)) as declared_monthly_income_amount,
        cast(observed_months as integer) as income_observed_months,
        income_source,
        cast(monthly_income_amount as decimal(18, 2)) as monthly_income_amount,
        -- doubles rounded to 6 places: their last bits depend on the order rows are summed in
        round(cast(income_stability_cv as {{ type_double() }}), 6) as income_stability_cv,
        cast(assessed_monthly_income_amount as decimal(18, 2)) as assessed_monthly_income_amount,
        cast(deposit_balance_amount as decimal(18, 2)) as deposit_balance_amount,
        cast(avg_deposit_balance_3m_amount as decimal(18, 2)) as avg_deposit_balance_3m_amount,
        cast(avg_deposit_balance_12m_amount as decimal(18, 2)) as avg_deposit_balance_12m_amount,
        round(cast({{ safe_divide('avg_deposit_balance_3m_amount', 'assessed_monthly_income_amount') }}
            as {{ type_double() }}), 6) as deposit_buffer_months,
        cast(overdraft_days_12m as integer) as overdraft_days_12m,
        round(cast(spend_to_inflow_ratio_12m as {{ type_double() }}), 6) as spend_to_inflow_ratio_12m,
        bureau_report_date,
        cast(external_debt_amount as decimal(18, 2)) as external_debt_amount,
        cast(delinquencies_24m as integer) as delinquencies_24m,
        cast(inquiries_6m as integer) as inquiries_6m,
        cast(bureau_worst_days_past_due_24m as integer) as bureau_worst_days_past_due_24m,
        cast(internal_worst_days_past_due_24m as integer) as internal_worst_days_past_due_24m,
        cast(late_instalments_24m as integer) as late_instalments_24m,
        cast(active_loans_count as integer) as active_loans_count,
        cast(monthly_debt_service_amount as decimal(18, 2)) as monthly_debt_service_amount,
        cast(external_debt_service_amount as decimal(18, 2)) as external_debt_service_amount,
        round(cast({{ safe_divide('monthly_debt_service_amount + external_debt_service_amount', 'assessed_monthly_income_amount') }}
            as {{ type_double() }}), 6) as debt_service_to_income_ratio
    from joined
)

select * from final
