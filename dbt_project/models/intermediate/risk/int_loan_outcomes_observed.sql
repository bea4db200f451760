{#-
    One row per loan originated at least 12 months before as_of_date: its terms at
    origination and the observed outcome, 90+ days past due within 12 months of origination
    (the performance window). An instalment is 90+ days past due on due_date + 90 days when
    it was still unpaid then (paid later or never), read from due and paid dates as they
    stood on as_of_date.
-#}

-- depends_on: {{ ref('int_transactions_enriched') }} (as_of_date() reads the latest booked day)

with

loans as (
    select * from {{ ref('stg_core_banking__loans') }}
),

loan_repayments as (
    select * from {{ ref('stg_core_banking__loan_repayments') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

observed_loans as (
    select
        loans.*,
        cast({{ dbt.dateadd('month', 12, 'loans.originated_date') }} as date) as performance_end_date
    from loans
    cross join as_of
    where loans.originated_date <= cast({{ dbt.dateadd('month', -12, 'as_of.as_of_date') }} as date)
),

seriously_late as (
    select
        loan_repayments.loan_id,
        min(cast({{ dbt.dateadd('day', 90, 'loan_repayments.due_date') }} as date)) as first_90_dpd_date
    from loan_repayments
    cross join as_of
    where cast({{ dbt.dateadd('day', 90, 'loan_repayments.due_date') }} as date) <= as_of.as_of_date
        and (
            loan_repayments.paid_date is null
            or loan_repayments.paid_date > as_of.as_of_date
            or {{ dbt.datediff('loan_repayments.due_date', 'loan_repayments.paid_date', 'day') }} >= 90
        )
    group by loan_repayments.loan_id
),

final as (
    select
        observed_loans.loan_id,
        observed_loans.customer_id,
        observed_loans.loan_type,
        observed_loans.collateral_type,
        cast(observed_loans.principal_amount as decimal(18, 2)) as principal_amount,
        cast(observed_loans.interest_rate as decimal(8, 5)) as interest_rate,
        observed_loans.term_months,
        observed_loans.originated_date,
        cast({{ dbt.dateadd('day', -1, 'observed_loans.originated_date') }} as date) as features_as_of_date,
        observed_loans.performance_end_date,
        cast(round({{ loan_instalment('observed_loans', risk_parameter('card_payment_rate')) }}, 2)
            as decimal(18, 2)) as instalment_amount,
        seriously_late.first_90_dpd_date,
        coalesce(seriously_late.first_90_dpd_date <= observed_loans.performance_end_date, false)
            as is_defaulted_12m
    from observed_loans
    left join seriously_late
        on observed_loans.loan_id = seriously_late.loan_id
)

select * from final
