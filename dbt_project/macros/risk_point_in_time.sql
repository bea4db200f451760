{#-
    Point-in-time features for a SPINE of (customer_id, as_of_date) pairs: each macro returns
    one query (usable as a CTE body) with one row per spine pair, computed from inputs dated
    on or before that pair's as_of_date only. They reuse the rules of the customer profile
    (int_income_detected, customer_features) for many as-of days at once, so a loan
    application can be profiled as of the day before its origination and a current customer
    as of as_of_date() with the same SQL.

    Arguments are relation or CTE names: `spine` (customer_id, as_of_date, unique pairs),
    `transactions` (int_transactions_enriched), `customers` (stg_core_banking__customers), ...
    `history_start` is an expression for the first day of booked history (the data window):
    months before it are not counted as observed.
-#}

{#- Customer master data on as_of_date (customers onboarded by then). -#}
{% macro pit_customer_attributes(spine, customers) -%}
    select
        spine.customer_id,
        spine.as_of_date,
        cast({{ whole_years_between('customers.birth_date', 'spine.as_of_date') }} as integer) as age_years,
        customers.city_tier,
        customers.occupation,
        customers.employer_type,
        customers.education,
        customers.declared_monthly_income as declared_monthly_income_amount,
        cast({{ whole_months_between('cast(customers.created_at as date)', 'spine.as_of_date') }} as integer)
            as tenure_months,
        case
            when customers.employment_start_date <= spine.as_of_date
                then cast({{ whole_months_between('customers.employment_start_date', 'spine.as_of_date') }} as integer)
        end as employment_tenure_months
    from {{ spine }} as spine
    inner join {{ customers }} as customers
        on spine.customer_id = customers.customer_id
    where cast(customers.created_at as date) <= spine.as_of_date
{%- endmacro %}

{#-
    Income detection (int_income_detected documents the rules, seeds/income_detection_rules.csv
    holds the thresholds) per spine pair. int_income_detected is this macro on the spine of
    current customers. With `history_start`, observed_months is also capped by the months of
    booked history before as_of_date, so an as-of day early in the data window is not read
    as months without income, and pairs before history_start are left out (income unknown).
-#}
{% macro pit_income_detected(spine, transactions, customers, history_start=none) -%}
    with

    pit_rules as (
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
        from {{ ref('income_detection_rules') }}
    ),

    pit_onboarded as (
        select
            spine.customer_id,
            spine.as_of_date,
            cast(
                least(
                    pit_rules.lookback_months,
                    {{ whole_months_between('cast(customers.created_at as date)', 'spine.as_of_date') }} + 1
                    {%- if history_start is not none %},
                    {{ whole_months_between(history_start, 'spine.as_of_date') }} + 1
                    {%- endif %}
                ) as integer
            ) as observed_months
        from {{ spine }} as spine
        inner join {{ customers }} as customers
            on spine.customer_id = customers.customer_id
        cross join pit_rules
        where cast(customers.created_at as date) <= spine.as_of_date
            {%- if history_start is not none %}
            and {{ history_start }} <= spine.as_of_date
            {%- endif %}
    ),

    pit_inflows as (
        select
            spine.customer_id,
            spine.as_of_date,
            transactions.counterparty_type,
            transactions.counterparty_id,
            transactions.amount,
            {{ whole_months_between('transactions.booked_date', 'spine.as_of_date') }} as month_offset
        from {{ spine }} as spine
        inner join {{ transactions }} as transactions
            on spine.customer_id = transactions.customer_id
        cross join pit_rules
        where transactions.booked_date <= spine.as_of_date
            and transactions.booked_date > {{ dbt.dateadd('month', -13, 'spine.as_of_date') }}
            and transactions.is_inflow
            and transactions.account_type in ('current', 'savings', 'business')
            and coalesce(transactions.counterparty_type, 'unknown') not in ('internal', 'merchant')
            and {{ whole_months_between('transactions.booked_date', 'spine.as_of_date') }} < pit_rules.lookback_months
    ),

    pit_payers as (
        select
            customer_id,
            as_of_date,
            counterparty_type,
            counterparty_id,
            count(distinct month_offset) as months_paid,
            max(month_offset) + 1 as months_since_first_paid,
            sum(amount) as paid_amount
        from pit_inflows
        group by customer_id, as_of_date, counterparty_type, counterparty_id
    ),

    {#- Regular: paid in enough months (fewer for a customer onboarded lately), and in most
        months since its first payment in the lookback (so a new job counts from its start). -#}
    pit_regular_payers as (
        select
            pit_payers.customer_id,
            pit_payers.as_of_date,
            pit_payers.counterparty_type,
            pit_payers.counterparty_id
        from pit_payers
        inner join pit_onboarded
            on pit_payers.customer_id = pit_onboarded.customer_id
            and pit_payers.as_of_date = pit_onboarded.as_of_date
        cross join pit_rules
        where (
                pit_payers.counterparty_type = 'employer'
                and pit_payers.months_paid >= least(pit_rules.salary_min_months, pit_onboarded.observed_months)
                and pit_payers.months_paid >= pit_rules.salary_min_month_share * pit_payers.months_since_first_paid
            )
            or (
                pit_payers.counterparty_type = 'pension_fund'
                and pit_payers.months_paid >= least(pit_rules.pension_min_months, pit_onboarded.observed_months)
                and pit_payers.months_paid >= pit_rules.pension_min_month_share * pit_payers.months_since_first_paid
            )
    ),

    pit_classified as (
        select
            pit_inflows.*,
            case
                when pit_regular_payers.counterparty_type = 'employer' then 'salary'
                when pit_regular_payers.counterparty_type = 'pension_fund' then 'pension'
                when pit_inflows.counterparty_type = 'business' then 'business'
                else 'other'
            end as inflow_kind
        from pit_inflows
        left join pit_regular_payers
            on pit_inflows.customer_id = pit_regular_payers.customer_id
            and pit_inflows.as_of_date = pit_regular_payers.as_of_date
            and pit_inflows.counterparty_type = pit_regular_payers.counterparty_type
            and pit_inflows.counterparty_id = pit_regular_payers.counterparty_id
    ),

    {#- Each kind's months from one row per kind and month: distinct counts over every inflow
        made DuckDB hash each of them once per count. #}
    pit_kind_months as (
        select
            customer_id,
            as_of_date,
            inflow_kind,
            month_offset,
            sum(amount) as amount
        from pit_classified
        group by customer_id, as_of_date, inflow_kind, month_offset
    ),

    pit_business_counterparties as (
        select
            customer_id,
            as_of_date,
            count(distinct counterparty_id) as business_counterparties
        from pit_classified
        where inflow_kind = 'business'
        group by customer_id, as_of_date
    ),

    pit_by_kind as (
        select
            customer_id,
            as_of_date,
            count(case when inflow_kind = 'salary' then 1 end) as salary_months,
            sum(case when inflow_kind = 'salary' then amount else 0 end) as salary_amount,
            count(case when inflow_kind = 'pension' then 1 end) as pension_months,
            sum(case when inflow_kind = 'pension' then amount else 0 end) as pension_amount,
            sum(case when inflow_kind = 'business' then amount else 0 end) as business_amount,
            count(case when inflow_kind = 'other' then 1 end) as other_months,
            sum(case when inflow_kind = 'other' then amount else 0 end) as other_amount,
            sum(amount) as external_amount
        from pit_kind_months
        group by customer_id, as_of_date
    ),

    pit_main_employers as (
        select
            customer_id,
            as_of_date,
            counterparty_id as main_employer_id,
            row_number() over (
                partition by customer_id, as_of_date
                order by months_paid desc, paid_amount desc, counterparty_id
            ) as employer_rank
        from pit_payers
        where counterparty_type = 'employer'
    ),

    pit_monthly as (
        select
            customer_id,
            as_of_date,
            month_offset,
            sum(amount) as inflow_amount
        from pit_inflows
        group by customer_id, as_of_date, month_offset
    ),

    pit_moments as (
        select
            customer_id,
            as_of_date,
            sum(inflow_amount) as sum_inflow_amount,
            sum(inflow_amount * inflow_amount) as sum_squared_inflow_amount
        from pit_monthly
        group by customer_id, as_of_date
    ),

    pit_qualified as (
        select
            pit_onboarded.customer_id,
            pit_onboarded.as_of_date,
            pit_onboarded.observed_months,
            coalesce(pit_by_kind.salary_months, 0) as salary_months,
            coalesce(pit_by_kind.salary_amount, 0) as salary_amount,
            coalesce(pit_by_kind.pension_months, 0) as pension_months,
            coalesce(pit_by_kind.pension_amount, 0) as pension_amount,
            coalesce(pit_business_counterparties.business_counterparties, 0) as business_counterparties,
            coalesce(pit_by_kind.business_amount, 0) as business_amount,
            coalesce(pit_by_kind.other_months, 0) as other_months,
            coalesce(pit_by_kind.other_amount, 0) as other_amount,
            coalesce(pit_by_kind.external_amount, 0) as external_amount,
            pit_main_employers.main_employer_id,
            coalesce(pit_moments.sum_inflow_amount, 0) as sum_inflow_amount,
            coalesce(pit_moments.sum_squared_inflow_amount, 0) as sum_squared_inflow_amount,
            coalesce(pit_by_kind.salary_months, 0) > 0 as has_salary,
            coalesce(pit_by_kind.pension_months, 0) > 0 as has_pension,
            coalesce(pit_business_counterparties.business_counterparties, 0) >= least(
                pit_rules.business_min_counterparties,
                pit_rules.business_min_counterparties_per_month * pit_onboarded.observed_months
            ) as has_business_income,
            coalesce(pit_by_kind.other_months, 0) >= least(pit_rules.other_min_months, pit_onboarded.observed_months)
                and coalesce(pit_by_kind.other_amount, 0)
                    >= pit_rules.other_min_monthly_amount * pit_onboarded.observed_months
                as has_other_income
        from pit_onboarded
        cross join pit_rules
        left join pit_by_kind
            on pit_onboarded.customer_id = pit_by_kind.customer_id
            and pit_onboarded.as_of_date = pit_by_kind.as_of_date
        left join pit_business_counterparties
            on pit_onboarded.customer_id = pit_business_counterparties.customer_id
            and pit_onboarded.as_of_date = pit_business_counterparties.as_of_date
        left join pit_main_employers
            on pit_onboarded.customer_id = pit_main_employers.customer_id
            and pit_onboarded.as_of_date = pit_main_employers.as_of_date
            and pit_main_employers.employer_rank = 1
        left join pit_moments
            on pit_onboarded.customer_id = pit_moments.customer_id
            and pit_onboarded.as_of_date = pit_moments.as_of_date
    ),

    pit_detected as (
        select
            pit_qualified.*,
            case
                when has_salary
                    and salary_amount >= case when has_pension then pension_amount else 0 end
                    and salary_amount >= case when has_business_income then business_amount else 0 end
                    then 'salary'
                when has_pension
                    and pension_amount >= case when has_business_income then business_amount else 0 end
                    then 'pension'
                when has_business_income then 'business'
                when has_other_income then 'other'
                else 'none'
            end as income_source
        from pit_qualified
    ),

    pit_estimated as (
        select
            pit_detected.*,
            case income_source
                when 'salary' then salary_amount / nullif(salary_months, 0)
                when 'pension' then pension_amount / nullif(pension_months, 0)
                when 'business' then business_amount / observed_months
                when 'other' then other_amount / observed_months
                else 0
            end as monthly_income_amount,
            sum_inflow_amount / observed_months as avg_monthly_inflow_amount,
            sum_squared_inflow_amount / observed_months
                - (sum_inflow_amount / observed_months) * (sum_inflow_amount / observed_months)
                as monthly_inflow_variance
        from pit_detected
    )

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
        cast(salary_months as integer) as salary_months_12m,
        cast(salary_amount as decimal(18, 2)) as salary_amount_12m,
        cast(pension_months as integer) as pension_months_12m,
        cast(pension_amount as decimal(18, 2)) as pension_amount_12m,
        cast(business_counterparties as integer) as business_counterparties_12m,
        cast(business_amount as decimal(18, 2)) as business_inflow_amount_12m,
        cast(other_months as integer) as other_inflow_months_12m,
        cast(other_amount as decimal(18, 2)) as other_inflow_amount_12m,
        cast(external_amount as decimal(18, 2)) as external_inflow_amount_12m
    from pit_estimated
{%- endmacro %}

{#-
    Deposit balances from int_balances_aggregated_daily (sparse end-of-day rows, each held
    until next_balance_date): the balance at the end of as_of_date and the day-weighted
    averages over the 3 and 12 months ending on as_of_date (days before the first balance
    are not observed).
-#}
{% macro pit_balances(spine, daily_balances) -%}
    with

    pit_windows as (
        select
            spine.customer_id,
            spine.as_of_date,
            cast({{ dbt.dateadd('day', 1, 'spine.as_of_date') }} as date) as window_end,
            cast({{ dbt.dateadd('day', 1, dbt.dateadd('month', -3, 'spine.as_of_date')) }} as date) as start_3m,
            cast({{ dbt.dateadd('day', 1, dbt.dateadd('month', -12, 'spine.as_of_date')) }} as date) as start_12m
        from {{ spine }} as spine
    ),

    pit_held as (
        select
            pit_windows.customer_id,
            pit_windows.as_of_date,
            daily_balances.deposit_balance_amount,
            daily_balances.next_balance_date > pit_windows.as_of_date as is_latest,
            greatest({{ dbt.datediff(
                'greatest(daily_balances.balance_date, pit_windows.start_3m)',
                'least(daily_balances.next_balance_date, pit_windows.window_end)',
                'day'
            ) }}, 0) as days_3m,
            greatest({{ dbt.datediff(
                'greatest(daily_balances.balance_date, pit_windows.start_12m)',
                'least(daily_balances.next_balance_date, pit_windows.window_end)',
                'day'
            ) }}, 0) as days_12m
        from pit_windows
        inner join {{ daily_balances }} as daily_balances
            on pit_windows.customer_id = daily_balances.customer_id
            and daily_balances.balance_date <= pit_windows.as_of_date
            and daily_balances.next_balance_date > pit_windows.start_12m
    )

    select
        customer_id,
        as_of_date,
        max(case when is_latest then deposit_balance_amount end) as deposit_balance_amount,
        sum(deposit_balance_amount * days_3m) / nullif(sum(days_3m), 0) as avg_deposit_balance_3m_amount,
        sum(deposit_balance_amount * days_12m) / nullif(sum(days_12m), 0) as avg_deposit_balance_12m_amount
    from pit_held
    group by customer_id, as_of_date
{%- endmacro %}

{#- Spending and current-account overdrafts over the 12 rolling months ending on as_of_date. -#}
{% macro pit_account_conduct(spine, transactions) -%}
    {%- set in_window -%}
        transactions.booked_date <= spine.as_of_date
        and transactions.booked_date > {{ dbt.dateadd('month', -13, 'spine.as_of_date') }}
        and {{ whole_months_between('transactions.booked_date', 'spine.as_of_date') }} < 12
    {%- endset -%}
    select
        totals.customer_id,
        totals.as_of_date,
        coalesce(overdrafts.overdraft_days_12m, 0) as overdraft_days_12m,
        totals.spend_12m_amount,
        totals.external_inflow_12m_amount
    from (
        select
            spine.customer_id,
            spine.as_of_date,
            sum(case when transactions.is_spend then -transactions.amount else 0 end) as spend_12m_amount,
            sum(case
                when transactions.is_inflow
                    and transactions.account_type in ('current', 'savings', 'business')
                    and coalesce(transactions.counterparty_type, 'unknown') not in ('internal', 'merchant')
                    then transactions.amount
                else 0
            end) as external_inflow_12m_amount
        from {{ spine }} as spine
        inner join {{ transactions }} as transactions
            on spine.customer_id = transactions.customer_id
        where {{ in_window }}
        group by spine.customer_id, spine.as_of_date
    ) as totals
    {#- Counted apart, over the overdrawn transactions only: a distinct count over every
        transaction of the year made DuckDB hash each of them once more. #}
    left join (
        select
            spine.customer_id,
            spine.as_of_date,
            count(distinct transactions.booked_date) as overdraft_days_12m
        from {{ spine }} as spine
        inner join {{ transactions }} as transactions
            on spine.customer_id = transactions.customer_id
        where {{ in_window }}
            and transactions.account_type = 'current'
            and transactions.balance_after < 0
        group by spine.customer_id, spine.as_of_date
    ) as overdrafts
        on totals.customer_id = overdrafts.customer_id
        and totals.as_of_date = overdrafts.as_of_date
{%- endmacro %}

{#- The latest credit bureau report dated on or before as_of_date (as in customer_features). -#}
{% macro pit_bureau_report(spine, credit_bureau_reports) -%}
    with

    pit_ranked as (
        select
            spine.customer_id,
            spine.as_of_date,
            reports.report_date,
            reports.external_debt_amount,
            reports.delinquencies_24m,
            reports.inquiries_6m,
            reports.worst_days_past_due_24m,
            row_number() over (
                partition by spine.customer_id, spine.as_of_date
                order by reports.report_date desc, reports.report_id desc
            ) as report_rank
        from {{ spine }} as spine
        inner join {{ credit_bureau_reports }} as reports
            on spine.customer_id = reports.customer_id
            and reports.report_date <= spine.as_of_date
    )

    select
        customer_id,
        as_of_date,
        report_date as bureau_report_date,
        external_debt_amount,
        delinquencies_24m,
        inquiries_6m,
        worst_days_past_due_24m as bureau_worst_days_past_due_24m
    from pit_ranked
    where report_rank = 1
{%- endmacro %}

{#-
    Repayment conduct on the bank's loans over the 24 months up to as_of_date: days past due
    as they stood on as_of_date from due and paid dates (as in customer_features), the worst
    of them and the number of instalments late. Instalments due after as_of_date, such as
    those of a loan being originated the next day, are never read.
-#}
{% macro pit_repayment_conduct(spine, loans, loan_repayments) -%}
    with

    pit_delays as (
        select
            spine.customer_id,
            spine.as_of_date,
            case
                when repayments.paid_date is not null and repayments.paid_date <= spine.as_of_date
                    then greatest({{ dbt.datediff('repayments.due_date', 'repayments.paid_date', 'day') }}, 0)
                else {{ dbt.datediff('repayments.due_date', 'spine.as_of_date', 'day') }}
            end as days_past_due
        from {{ spine }} as spine
        inner join {{ loans }} as loans
            on spine.customer_id = loans.customer_id
        inner join {{ loan_repayments }} as repayments
            on loans.loan_id = repayments.loan_id
        where repayments.due_date <= spine.as_of_date
            and {{ whole_months_between('repayments.due_date', 'spine.as_of_date') }} < 24
    )

    select
        customer_id,
        as_of_date,
        max(days_past_due) as internal_worst_days_past_due_24m,
        sum(case when days_past_due > 0 then 1 else 0 end) as late_instalments_24m,
        count(*) as instalments_due_24m
    from pit_delays
    group by customer_id, as_of_date
{%- endmacro %}

{#-
    Monthly instalment of a loan: the annuity on its principal, rate and term; a credit card
    facility pays card_payment_rate of its limit (risk_parameters).
-#}
{% macro loan_instalment(loan, card_payment_rate) -%}
    case
        when {{ loan }}.loan_type = 'credit_card' then {{ loan }}.principal_amount * {{ card_payment_rate }}
        when {{ loan }}.interest_rate = 0 then {{ loan }}.principal_amount / {{ loan }}.term_months
        else {{ loan }}.principal_amount * ({{ loan }}.interest_rate / 12)
            / (1 - power(1 + {{ loan }}.interest_rate / 12, -{{ loan }}.term_months))
    end
{%- endmacro %}

{#- The bank's loans running on as_of_date (originated by then, not yet matured). -#}
{% macro pit_debt_service(spine, loans, card_payment_rate) -%}
    select
        spine.customer_id,
        spine.as_of_date,
        count(*) as active_loans_count,
        sum({{ loan_instalment('loans', card_payment_rate) }}) as monthly_debt_service_amount
    from {{ spine }} as spine
    inner join {{ loans }} as loans
        on spine.customer_id = loans.customer_id
    where loans.originated_date <= spine.as_of_date
        and (loans.maturity_date is null or loans.maturity_date > spine.as_of_date)
    group by spine.customer_id, spine.as_of_date
{%- endmacro %}

{#- One value of seeds/risk_parameters.csv, as a scalar subquery. -#}
{% macro risk_parameter(name) -%}
    (select value from {{ ref('risk_parameters') }} where parameter = '{{ name }}')
{%- endmacro %}
