{#-
    Income detection, one row per customer onboarded by as_of_date, from the external inflows
    of current, savings and business accounts over the lookback (12 months up to as_of_date):
      salary    credits from an employer counterparty that pays in most months;
      pension   credits from a pension fund in most months;
      business  inflows from many distinct business counterparties;
      other     irregular inflows (individuals, government, irregular payers) of some size;
      none      none of these.
    When several regular sources qualify, the largest over the lookback wins. Months are
    rolling: month_offset 0 is the month ending on as_of_date. Thresholds live in
    seeds/income_detection_rules.csv.
-#}

with

transactions as (
    select * from {{ ref('int_transactions_enriched') }}
),

customers as (
    select * from {{ ref('stg_core_banking__customers') }}
),

income_detection_rules as (
    select * from {{ ref('income_detection_rules') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

rules as (
    select
        {{ rule_value('lookback_months') }} as lookback_months,
        {{ rule_value('salary_min_months') }} as salary_min_months,
        {{ rule_value('salary_min_month_share') }} as salary_min_month_share,
        {{ rule_value('pension_min_months') }} as pension_min_months,
        {{ rule_value('pension_min_month_share') }} as pension_min_month_share,
        {{ rule_value('business_min_counterparties') }} as business_min_counterparties,
        {{ rule_value('business_min_counterparties_per_month') }} as business_min_counterparties_per_month,
        {{ rule_value('other_min_months') }} as other_min_months,
        {{ rule_value('other_min_monthly_amount') }} as other_min_monthly_amount
    from income_detection_rules
),

onboarded_customers as (
    select
        customers.customer_id,
        as_of.as_of_date,
        cast(
            least(
                rules.lookback_months,
                {{ whole_months_between('cast(customers.created_at as date)', 'as_of.as_of_date') }} + 1
            ) as integer
        ) as observed_months
    from customers
    cross join as_of
    cross join rules
    where cast(customers.created_at as date) <= as_of.as_of_date
),

external_inflows as (
    select
        transactions.customer_id,
        transactions.counterparty_type,
        transactions.counterparty_id,
        transactions.amount,
        {{ whole_months_between('transactions.booked_date', 'as_of.as_of_date') }} as month_offset
    from transactions
    cross join as_of
    where transactions.is_inflow
        and transactions.account_type in ('current', 'savings', 'business')
        and coalesce(transactions.counterparty_type, 'unknown') not in ('internal', 'merchant')
),

lookback_inflows as (
    select external_inflows.*
    from external_inflows
    cross join rules
    where external_inflows.month_offset < rules.lookback_months
),

payers as (
    select
        customer_id,
        counterparty_type,
        counterparty_id,
        count(distinct month_offset) as months_paid,
        max(month_offset) + 1 as months_since_first_paid,
        sum(amount) as paid_amount
    from lookback_inflows
    group by customer_id, counterparty_type, counterparty_id
),

{#- Regular: paid in enough months (fewer for a customer onboarded lately), and in most
    months since its first payment in the lookback (so a new job counts from its start). -#}
regular_payers as (
    select
        payers.customer_id,
        payers.counterparty_type,
        payers.counterparty_id
    from payers
    inner join onboarded_customers
        on payers.customer_id = onboarded_customers.customer_id
    cross join rules
    where (
            payers.counterparty_type = 'employer'
            and payers.months_paid >= least(rules.salary_min_months, onboarded_customers.observed_months)
            and payers.months_paid >= rules.salary_min_month_share * payers.months_since_first_paid
        )
        or (
            payers.counterparty_type = 'pension_fund'
            and payers.months_paid >= least(rules.pension_min_months, onboarded_customers.observed_months)
            and payers.months_paid >= rules.pension_min_month_share * payers.months_since_first_paid
        )
),

classified_inflows as (
    select
        lookback_inflows.*,
        case
            when regular_payers.counterparty_type = 'employer' then 'salary'
            when regular_payers.counterparty_type = 'pension_fund' then 'pension'
            when lookback_inflows.counterparty_type = 'business' then 'business'
            else 'other'
        end as inflow_kind
    from lookback_inflows
    left join regular_payers
        on lookback_inflows.customer_id = regular_payers.customer_id
        and lookback_inflows.counterparty_type = regular_payers.counterparty_type
        and lookback_inflows.counterparty_id = regular_payers.counterparty_id
),

inflows_by_kind as (
    select
        customer_id,
        count(distinct case when inflow_kind = 'salary' then month_offset end) as salary_months_12m,
        sum(case when inflow_kind = 'salary' then amount else 0 end) as salary_amount_12m,
        count(distinct case when inflow_kind = 'pension' then month_offset end) as pension_months_12m,
        sum(case when inflow_kind = 'pension' then amount else 0 end) as pension_amount_12m,
        count(distinct case when inflow_kind = 'business' then counterparty_id end) as business_counterparties_12m,
        sum(case when inflow_kind = 'business' then amount else 0 end) as business_inflow_amount_12m,
        count(distinct case when inflow_kind = 'other' then month_offset end) as other_inflow_months_12m,
        sum(case when inflow_kind = 'other' then amount else 0 end) as other_inflow_amount_12m,
        sum(amount) as external_inflow_amount_12m
    from classified_inflows
    group by customer_id
),

main_employers as (
    select
        customer_id,
        counterparty_id as main_employer_id,
        row_number() over (
            partition by customer_id
            order by months_paid desc, paid_amount desc, counterparty_id
        ) as employer_rank
    from payers
    where counterparty_type = 'employer'
),

monthly_inflows as (
    select
        customer_id,
        month_offset,
        sum(amount) as inflow_amount
    from lookback_inflows
    group by customer_id, month_offset
),

inflow_moments as (
    select
        customer_id,
        sum(inflow_amount) as sum_inflow_amount,
        sum(inflow_amount * inflow_amount) as sum_squared_inflow_amount
    from monthly_inflows
    group by customer_id
),

customer_inflows as (
    select
        onboarded_customers.customer_id,
        onboarded_customers.as_of_date,
        onboarded_customers.observed_months,
        coalesce(inflows_by_kind.salary_months_12m, 0) as salary_months_12m,
        coalesce(inflows_by_kind.salary_amount_12m, 0) as salary_amount_12m,
        coalesce(inflows_by_kind.pension_months_12m, 0) as pension_months_12m,
        coalesce(inflows_by_kind.pension_amount_12m, 0) as pension_amount_12m,
        coalesce(inflows_by_kind.business_counterparties_12m, 0) as business_counterparties_12m,
        coalesce(inflows_by_kind.business_inflow_amount_12m, 0) as business_inflow_amount_12m,
        coalesce(inflows_by_kind.other_inflow_months_12m, 0) as other_inflow_months_12m,
        coalesce(inflows_by_kind.other_inflow_amount_12m, 0) as other_inflow_amount_12m,
        coalesce(inflows_by_kind.external_inflow_amount_12m, 0) as external_inflow_amount_12m,
        main_employers.main_employer_id,
        coalesce(inflow_moments.sum_inflow_amount, 0) as sum_inflow_amount,
        coalesce(inflow_moments.sum_squared_inflow_amount, 0) as sum_squared_inflow_amount
    from onboarded_customers
    left join inflows_by_kind
        on onboarded_customers.customer_id = inflows_by_kind.customer_id
    left join main_employers
        on onboarded_customers.customer_id = main_employers.customer_id
        and main_employers.employer_rank = 1
    left join inflow_moments
        on onboarded_customers.customer_id = inflow_moments.customer_id
),

qualified as (
    select
        customer_inflows.*,
        customer_inflows.salary_months_12m > 0 as has_salary,
        customer_inflows.pension_months_12m > 0 as has_pension,
        customer_inflows.business_counterparties_12m >= least(
            rules.business_min_counterparties,
            rules.business_min_counterparties_per_month * customer_inflows.observed_months
        ) as has_business_income,
        customer_inflows.other_inflow_months_12m
            >= least(rules.other_min_months, customer_inflows.observed_months)
            and customer_inflows.other_inflow_amount_12m
                >= rules.other_min_monthly_amount * customer_inflows.observed_months
            as has_other_income
    from customer_inflows
    cross join rules
),

detected as (
    select
        qualified.*,
        case
            when has_salary
                and salary_amount_12m >= case when has_pension then pension_amount_12m else 0 end
                and salary_amount_12m >= case when has_business_income then business_inflow_amount_12m else 0 end
                then 'salary'
            when has_pension
                and pension_amount_12m >= case when has_business_income then business_inflow_amount_12m else 0 end
                then 'pension'
            when has_business_income then 'business'
            when has_other_income then 'other'
            else 'none'
        end as income_source
    from qualified
),

estimated as (
    select
        detected.*,
        case income_source
            when 'salary' then salary_amount_12m / nullif(salary_months_12m, 0)
            when 'pension' then pension_amount_12m / nullif(pension_months_12m, 0)
            when 'business' then business_inflow_amount_12m / observed_months
            when 'other' then other_inflow_amount_12m / observed_months
            else 0
        end as monthly_income_amount,
        sum_inflow_amount / observed_months as avg_monthly_inflow_amount,
        sum_squared_inflow_amount / observed_months
            - (sum_inflow_amount / observed_months) * (sum_inflow_amount / observed_months)
            as monthly_inflow_variance
    from detected
),

final as (
    select
        customer_id,
        as_of_date,
        observed_months,
        income_source,
        cast(round(monthly_income_amount, 2) as decimal(18, 2)) as monthly_income_amount,
        cast(
            sqrt(greatest(monthly_inflow_variance, 0)) / nullif(avg_monthly_inflow_amount, 0)
            as {{ type_double() }}
        ) as income_stability_cv,
        cast(round(avg_monthly_inflow_amount, 2) as decimal(18, 2)) as avg_monthly_inflow_amount,
        main_employer_id,
        cast(salary_months_12m as integer) as salary_months_12m,
        cast(salary_amount_12m as decimal(18, 2)) as salary_amount_12m,
        cast(pension_months_12m as integer) as pension_months_12m,
        cast(pension_amount_12m as decimal(18, 2)) as pension_amount_12m,
        cast(business_counterparties_12m as integer) as business_counterparties_12m,
        cast(business_inflow_amount_12m as decimal(18, 2)) as business_inflow_amount_12m,
        cast(other_inflow_months_12m as integer) as other_inflow_months_12m,
        cast(other_inflow_amount_12m as decimal(18, 2)) as other_inflow_amount_12m,
        cast(external_inflow_amount_12m as decimal(18, 2)) as external_inflow_amount_12m
    from estimated
)

select * from final
