{#-
    One row per customer who passed staging and was onboarded by as_of_date: the feature
    set of the profile, computed as of as_of_date with no information from after it (every
    input is filtered on its event date). Money in CNY. Windows: _30d / _90d count back from
    as_of_date in days; _3m / _12m are rolling months ending on as_of_date.
-#}

{%- set categories = consumption_categories() -%}
{%- set channels = profiled_channels() -%}
{%- set families = product_families() -%}

with

customers as (
    select * from {{ ref('stg_core_banking__customers') }}
),

accounts as (
    select * from {{ ref('stg_core_banking__accounts') }}
),

transactions as (
    select * from {{ ref('int_transactions_enriched') }}
),

income_detected as (
    select * from {{ ref('int_income_detected') }}
),

monthly_balances as (
    select * from {{ ref('int_balances_aggregated_monthly') }}
),

category_spends as (
    select * from {{ ref('int_category_spends_ranked') }}
),

rfm_scored as (
    select * from {{ ref('int_customers_rfm_scored') }}
),

holdings as (
    select * from {{ ref('stg_core_banking__holdings') }}
),

wealth_orders as (
    select * from {{ ref('stg_core_banking__wealth_orders') }}
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

daily_digital_events as (
    select * from {{ ref('int_digital_events_aggregated_daily') }}
),

service_interactions as (
    select * from {{ ref('stg_core_banking__service_interactions') }}
),

products as (
    select * from {{ ref('products') }}
),

age_bands as (
    select * from {{ ref('age_bands') }}
),


page_product_families as (
    select * from {{ ref('page_product_families') }}
),

as_of as (
    select
        {{ as_of_date() }} as as_of_date,
        cast({{ dbt.dateadd('day', 1, as_of_date()) }} as date) as day_after_as_of
),

-- demographics -------------------------------------------------------------------------

profiled_customers as (
    select
        customers.customer_id,
        as_of.as_of_date,
        cast({{ whole_years_between('customers.birth_date', 'as_of.as_of_date') }} as integer) as age_years,
        customers.gender,
        customers.marital_status,
        customers.city_tier,
        customers.occupation,
        customers.employer_type,
        customers.education,
        customers.kyc_risk_tolerance,
        customers.marketing_consent,
        customers.do_not_contact,
        customers.declared_monthly_income as declared_monthly_income_amount,
        cast({{ whole_months_between('cast(customers.created_at as date)', 'as_of.as_of_date') }} as integer)
            as tenure_months,
        case
            when customers.employment_start_date <= as_of.as_of_date
                then cast({{ whole_months_between('customers.employment_start_date', 'as_of.as_of_date') }} as integer)
        end as employment_tenure_months
    from customers
    cross join as_of
    where cast(customers.created_at as date) <= as_of.as_of_date
),

banded_customers as (
    select
        profiled_customers.*,
        age_bands.age_band
    from profiled_customers
    left join age_bands
        on profiled_customers.age_years between age_bands.min_age and age_bands.max_age
),

-- balances ------------------------------------------------------------------------------

offset_balances as (
    select
        monthly_balances.*,
        {{ dbt.datediff('monthly_balances.balance_month', dbt.date_trunc('month', 'as_of.as_of_date'), 'month') }}
            as month_offset
    from monthly_balances
    cross join as_of
),

balance_summary as (
    select
        customer_id,
        max(case when month_offset = 0 then month_end_deposit_balance_amount end) as deposit_balance_amount,
        max(case when month_offset = 0 then month_end_credit_card_balance_amount end)
            as credit_card_balance_amount,
        sum(case when month_offset < 3 then avg_daily_deposit_balance_amount * days_observed end)
            / nullif(sum(case when month_offset < 3 then days_observed end), 0)
            as avg_deposit_balance_3m_amount,
        sum(case when month_offset between 3 and 5 then avg_daily_deposit_balance_amount * days_observed end)
            / nullif(sum(case when month_offset between 3 and 5 then days_observed end), 0)
            as avg_deposit_balance_prior_3m_amount,
        sum(case when month_offset < 12 then avg_daily_deposit_balance_amount * days_observed end)
            / nullif(sum(case when month_offset < 12 then days_observed end), 0)
            as avg_deposit_balance_12m_amount
    from offset_balances
    group by customer_id
),

-- transactions: spend mix, channel mix (RFM comes from int_customers_rfm_scored) ---------

transactions_12m as (
    select transactions.*
    from transactions
    cross join as_of
    where {{ whole_months_between('transactions.booked_date', 'as_of.as_of_date') }} < 12
),

spend_mix as (
    select
        customer_id,
        {%- for category in categories %}
        sum(case when consumption_category = '{{ category }}' then spend_share_pct else 0 end)
            as {{ category }}_spend_pct,
        {%- endfor %}
        max(case when category_rank = 1 then consumption_category end) as top_spend_category
    from category_spends
    group by customer_id
),

channel_counts as (
    select
        customer_id,
        channel,
        count(*) as transaction_count
    from transactions_12m
    where channel in ({% for channel in channels %}'{{ channel }}'{% if not loop.last %}, {% endif %}{% endfor %})
    group by customer_id, channel
),

channel_ranked as (
    select
        channel_counts.*,
        {{ safe_divide(
            'transaction_count',
            'sum(transaction_count) over (partition by customer_id)'
        ) }} as channel_share_pct,
        row_number() over (
            partition by customer_id order by transaction_count desc, channel
        ) as channel_rank
    from channel_counts
),

channel_mix as (
    select
        customer_id,
        {%- for channel in channels %}
        sum(case when channel = '{{ channel }}' then channel_share_pct else 0 end)
            as {{ channel }}_channel_pct,
        {%- endfor %}
        max(case when channel_rank = 1 then channel end) as preferred_channel
    from channel_ranked
    group by customer_id
),

-- products ------------------------------------------------------------------------------

open_accounts as (
    select
        accounts.customer_id,
        sum(case when accounts.account_type in ('current', 'savings', 'business') then 1 else 0 end)
            as deposit_accounts_count,
        sum(case when accounts.account_type = 'credit_card' then 1 else 0 end) as credit_cards_count,
        sum(case when accounts.account_type = 'credit_card' then accounts.credit_limit else 0 end)
            as credit_card_limit_amount
    from accounts
    cross join as_of
    where accounts.opened_date <= as_of.as_of_date
        and (accounts.closed_date is null or accounts.closed_date > as_of.as_of_date)
    group by accounts.customer_id
),

latest_snapshots as (
    select
        holdings.customer_id,
        max(holdings.snapshot_date) as snapshot_date
    from holdings
    cross join as_of
    where holdings.snapshot_date <= as_of.as_of_date
    group by holdings.customer_id
),

held_products as (
    select
        holdings.customer_id,
        holdings.snapshot_date,
        holdings.product_code,
        products.product_family,
        holdings.market_value
    from holdings
    inner join latest_snapshots
        on holdings.customer_id = latest_snapshots.customer_id
        and holdings.snapshot_date = latest_snapshots.snapshot_date
    left join products
        on holdings.product_code = products.product_code
    where holdings.market_value > 0
),

holding_summary as (
    select
        customer_id,
        max(snapshot_date) as snapshot_date,
        count(distinct case when product_family = 'deposit' then product_code end) as deposit_products_count,
        count(distinct case when product_family = 'wealth' then product_code end) as wealth_products_count,
        count(distinct case when product_family = 'insurance' then product_code end) as insurance_products_count,
        sum(case when product_family in ('wealth', 'insurance') then market_value else 0 end)
            as wealth_snapshot_amount
    from held_products
    group by customer_id
),

{#- Orders after the latest snapshot (or all orders, without one) move AUM up to as_of_date. -#}
orders_since_snapshot as (
    select
        wealth_orders.customer_id,
        sum(
            case when wealth_orders.order_type = 'redemption' then -wealth_orders.amount
            else wealth_orders.amount end
        ) as net_order_amount
    from wealth_orders
    cross join as_of
    left join latest_snapshots
        on wealth_orders.customer_id = latest_snapshots.customer_id
    left join products
        on wealth_orders.product_code = products.product_code
    where wealth_orders.ordered_at < as_of.day_after_as_of
        and (latest_snapshots.snapshot_date is null
            or cast(wealth_orders.ordered_at as date) > latest_snapshots.snapshot_date)
        and products.product_family in ('wealth', 'insurance')
    group by wealth_orders.customer_id
),

{#- Outstanding principal on an annuity schedule after the instalments due by as_of_date. -#}
loan_schedules as (
    select
        loans.customer_id,
        loans.loan_type,
        loans.principal_amount,
        loans.interest_rate / 12 as monthly_rate,
        loans.term_months,
        least(
            loans.term_months,
            greatest({{ whole_months_between('loans.originated_date', 'as_of.as_of_date') }}, 0)
        ) as instalments_due
    from loans
    cross join as_of
    where loans.originated_date <= as_of.as_of_date
        and loans.loan_type <> 'credit_card'
),

loan_balances as (
    select
        customer_id,
        loan_type,
        -- to the cent, as a decimal: the sum per customer is then exact in any row order
        cast(round(case
            when instalments_due >= term_months then 0
            when monthly_rate = 0 then principal_amount * (1 - instalments_due / term_months)
            else principal_amount
                * (power(1 + monthly_rate, term_months) - power(1 + monthly_rate, instalments_due))
                / (power(1 + monthly_rate, term_months) - 1)
        end, 2) as decimal(18, 2)) as outstanding_amount
    from loan_schedules
),

loan_summary as (
    select
        customer_id,
        sum(case when loan_type = 'mortgage' and outstanding_amount > 0 then 1 else 0 end) as mortgages_count,
        sum(case when loan_type = 'consumer' and outstanding_amount > 0 then 1 else 0 end) as consumer_loans_count,
        sum(case when loan_type = 'business' and outstanding_amount > 0 then 1 else 0 end) as business_loans_count,
        sum(outstanding_amount) as loans_outstanding_amount
    from loan_balances
    group by customer_id
),

-- credit --------------------------------------------------------------------------------

ranked_bureau_reports as (
    select
        credit_bureau_reports.*,
        row_number() over (
            partition by credit_bureau_reports.customer_id
            order by credit_bureau_reports.report_date desc, credit_bureau_reports.report_id desc
        ) as report_rank
    from credit_bureau_reports
    cross join as_of
    where credit_bureau_reports.report_date <= as_of.as_of_date
),

latest_bureau_reports as (
    select * from ranked_bureau_reports
    where report_rank = 1
),

{#- Days past due as they stood on as_of_date, from due and paid dates (not the latest status). -#}
instalment_delays as (
    select
        loans.customer_id,
        case
            when loan_repayments.paid_date is not null and loan_repayments.paid_date <= as_of.as_of_date
                then greatest({{ dbt.datediff('loan_repayments.due_date', 'loan_repayments.paid_date', 'day') }}, 0)
            else {{ dbt.datediff('loan_repayments.due_date', 'as_of.as_of_date', 'day') }}
        end as days_past_due
    from loan_repayments
    inner join loans
        on loan_repayments.loan_id = loans.loan_id
    cross join as_of
    where loan_repayments.due_date <= as_of.as_of_date
        and {{ whole_months_between('loan_repayments.due_date', 'as_of.as_of_date') }} < 24
),

internal_delinquency as (
    select
        customer_id,
        max(days_past_due) as internal_worst_days_past_due_24m
    from instalment_delays
    group by customer_id
),

-- digital and service -------------------------------------------------------------------

recent_digital_events as (
    select
        daily_digital_events.customer_id,
        daily_digital_events.event_type,
        page_product_families.product_family,
        daily_digital_events.event_count,
        {{ dbt.datediff('daily_digital_events.event_date', 'as_of.as_of_date', 'day') }} as days_ago
    from daily_digital_events
    cross join as_of
    left join page_product_families
        on daily_digital_events.page = page_product_families.page
    where daily_digital_events.event_date <= as_of.as_of_date
        and daily_digital_events.event_date >= {{ dbt.dateadd('day', -89, 'as_of.as_of_date') }}
),

digital_summary as (
    select
        customer_id,
        sum(case when event_type = 'login' and days_ago < 30 then event_count else 0 end) as logins_30d,
        sum(case when event_type = 'login' then event_count else 0 end) as logins_90d,
        {%- for family in families %}
        sum(case when event_type = 'page_view' and product_family = '{{ family }}' then event_count else 0 end)
            as {{ family }}_page_views_90d{% if not loop.last %},{% endif %}
        {%- endfor %}
    from recent_digital_events
    group by customer_id
),

service_summary as (
    select
        service_interactions.customer_id,
        sum(case when service_interactions.interaction_type = 'branch_visit' then 1 else 0 end)
            as branch_visits_12m,
        sum(case when service_interactions.interaction_type = 'call_centre' then 1 else 0 end) as calls_12m,
        sum(case when service_interactions.interaction_type = 'online_chat' then 1 else 0 end)
            as online_chats_12m,
        sum(case when service_interactions.interaction_type = 'complaint' then 1 else 0 end)
            as complaints_12m
    from service_interactions
    cross join as_of
    where service_interactions.interaction_at < as_of.day_after_as_of
        and {{ whole_months_between('cast(service_interactions.interaction_at as date)', 'as_of.as_of_date') }} < 12
    group by service_interactions.customer_id
),

-- assembly ------------------------------------------------------------------------------

joined as (
    select
        banded_customers.*,
        income_detected.income_source,
        income_detected.monthly_income_amount,
        income_detected.income_stability_cv,
        income_detected.avg_monthly_inflow_amount,
        coalesce(balance_summary.deposit_balance_amount, 0) as deposit_balance_amount,
        coalesce(balance_summary.avg_deposit_balance_3m_amount, 0) as avg_deposit_balance_3m_amount,
        coalesce(balance_summary.avg_deposit_balance_12m_amount, 0) as avg_deposit_balance_12m_amount,
        {{ safe_divide(
            'balance_summary.avg_deposit_balance_3m_amount - balance_summary.avg_deposit_balance_prior_3m_amount',
            'abs(balance_summary.avg_deposit_balance_prior_3m_amount)'
        ) }} as deposit_balance_trend_pct,
        rfm_scored.recency_days,
        rfm_scored.frequency_12m,
        rfm_scored.monetary_12m_amount,
        rfm_scored.recency_score,
        rfm_scored.frequency_score,
        rfm_scored.monetary_score,
        rfm_scored.rfm_score,
        rfm_scored.rfm_code,
        {%- for category in categories %}
        coalesce(spend_mix.{{ category }}_spend_pct, 0) as {{ category }}_spend_pct,
        {%- endfor %}
        spend_mix.top_spend_category,
        {%- for channel in channels %}
        coalesce(channel_mix.{{ channel }}_channel_pct, 0) as {{ channel }}_channel_pct,
        {%- endfor %}
        channel_mix.preferred_channel,
        coalesce(open_accounts.deposit_accounts_count, 0) as deposit_accounts_count,
        coalesce(holding_summary.deposit_products_count, 0) as deposit_products_count,
        coalesce(holding_summary.wealth_products_count, 0) as wealth_products_count,
        coalesce(holding_summary.insurance_products_count, 0) as insurance_products_count,
        coalesce(open_accounts.credit_cards_count, 0) as credit_cards_count,
        coalesce(loan_summary.mortgages_count, 0) as mortgages_count,
        coalesce(loan_summary.consumer_loans_count, 0) as consumer_loans_count,
        coalesce(loan_summary.business_loans_count, 0) as business_loans_count,
        greatest(
            coalesce(holding_summary.wealth_snapshot_amount, 0) + coalesce(orders_since_snapshot.net_order_amount, 0),
            0
        ) as wealth_aum_amount,
        coalesce(loan_summary.loans_outstanding_amount, 0) as loans_outstanding_amount,
        greatest(-coalesce(balance_summary.credit_card_balance_amount, 0), 0) as credit_card_owed_amount,
        open_accounts.credit_card_limit_amount,
        latest_bureau_reports.report_date as bureau_report_date,
        coalesce(latest_bureau_reports.external_debt_amount, 0) as external_debt_amount,
        latest_bureau_reports.delinquencies_24m,
        latest_bureau_reports.inquiries_6m,
        latest_bureau_reports.worst_days_past_due_24m as bureau_worst_days_past_due_24m,
        internal_delinquency.internal_worst_days_past_due_24m,
        coalesce(digital_summary.logins_30d, 0) as logins_30d,
        coalesce(digital_summary.logins_90d, 0) as logins_90d,
        {%- for family in families %}
        coalesce(digital_summary.{{ family }}_page_views_90d, 0) as {{ family }}_page_views_90d,
        {%- endfor %}
        coalesce(service_summary.branch_visits_12m, 0) as branch_visits_12m,
        coalesce(service_summary.calls_12m, 0) as calls_12m,
        coalesce(service_summary.online_chats_12m, 0) as online_chats_12m,
        coalesce(service_summary.complaints_12m, 0) as complaints_12m
    from banded_customers
    left join income_detected
        on banded_customers.customer_id = income_detected.customer_id
    left join balance_summary
        on banded_customers.customer_id = balance_summary.customer_id
    left join rfm_scored
        on banded_customers.customer_id = rfm_scored.customer_id
    left join spend_mix
        on banded_customers.customer_id = spend_mix.customer_id
    left join channel_mix
        on banded_customers.customer_id = channel_mix.customer_id
    left join open_accounts
        on banded_customers.customer_id = open_accounts.customer_id
    left join holding_summary
        on banded_customers.customer_id = holding_summary.customer_id
    left join orders_since_snapshot
        on banded_customers.customer_id = orders_since_snapshot.customer_id
    left join loan_summary
        on banded_customers.customer_id = loan_summary.customer_id
    left join latest_bureau_reports
        on banded_customers.customer_id = latest_bureau_reports.customer_id
    left join internal_delinquency
        on banded_customers.customer_id = internal_delinquency.customer_id
    left join digital_summary
        on banded_customers.customer_id = digital_summary.customer_id
    left join service_summary
        on banded_customers.customer_id = service_summary.customer_id
),

derived as (
    select
        joined.*,
        {{ safe_divide('credit_card_owed_amount', 'credit_card_limit_amount') }} as credit_card_utilisation_pct,
        {{ safe_divide(
            'external_debt_amount + loans_outstanding_amount + credit_card_owed_amount',
            'monthly_income_amount * 12'
        ) }} as debt_to_income_ratio,
        greatest(
            coalesce(bureau_worst_days_past_due_24m, 0), coalesce(internal_worst_days_past_due_24m, 0)
        ) as worst_days_past_due,
        deposit_products_count + wealth_products_count + insurance_products_count + credit_cards_count
            + mortgages_count + consumer_loans_count + business_loans_count as products_held_count
    from joined
),

final as (
    select
        customer_id,
        as_of_date,
        -- demographics
        age_years,
        age_band,
        gender,
        marital_status,
        city_tier,
        occupation,
        employer_type,
        education,
        kyc_risk_tolerance,
        marketing_consent,
        do_not_contact,
        tenure_months,
        employment_tenure_months,
        cast(declared_monthly_income_amount as decimal(18, 2)) as declared_monthly_income_amount,
        -- income
        income_source,
        cast(monthly_income_amount as decimal(18, 2)) as monthly_income_amount,
        cast(income_stability_cv as {{ type_double() }}) as income_stability_cv,
        cast(avg_monthly_inflow_amount as decimal(18, 2)) as avg_monthly_inflow_amount,
        -- balances
        cast(deposit_balance_amount as decimal(18, 2)) as deposit_balance_amount,
        cast(avg_deposit_balance_3m_amount as decimal(18, 2)) as avg_deposit_balance_3m_amount,
        cast(avg_deposit_balance_12m_amount as decimal(18, 2)) as avg_deposit_balance_12m_amount,
        cast(deposit_balance_trend_pct as {{ type_double() }}) as deposit_balance_trend_pct,
        -- rfm
        cast(recency_days as integer) as recency_days,
        cast(frequency_12m as integer) as frequency_12m,
        cast(monetary_12m_amount as decimal(18, 2)) as monetary_12m_amount,
        cast(recency_score as integer) as recency_score,
        cast(frequency_score as integer) as frequency_score,
        cast(monetary_score as integer) as monetary_score,
        rfm_score,
        rfm_code,
        -- spend mix
        {%- for category in categories %}
        cast({{ category }}_spend_pct as {{ type_double() }}) as {{ category }}_spend_pct,
        {%- endfor %}
        top_spend_category,
        -- channel mix
        {%- for channel in channels %}
        cast({{ channel }}_channel_pct as {{ type_double() }}) as {{ channel }}_channel_pct,
        {%- endfor %}
        preferred_channel,
        -- products
        cast(products_held_count as integer) as products_held_count,
        cast(deposit_accounts_count as integer) as deposit_accounts_count,
        cast(deposit_products_count as integer) as deposit_products_count,
        cast(wealth_products_count as integer) as wealth_products_count,
        cast(insurance_products_count as integer) as insurance_products_count,
        cast(credit_cards_count as integer) as credit_cards_count,
        cast(mortgages_count as integer) as mortgages_count,
        cast(consumer_loans_count as integer) as consumer_loans_count,
        cast(business_loans_count as integer) as business_loans_count,
        cast(wealth_aum_amount as decimal(18, 2)) as wealth_aum_amount,
        cast(loans_outstanding_amount as decimal(18, 2)) as loans_outstanding_amount,
        cast(credit_card_owed_amount as decimal(18, 2)) as credit_card_owed_amount,
        cast(credit_card_limit_amount as decimal(18, 2)) as credit_card_limit_amount,
        cast(credit_card_utilisation_pct as {{ type_double() }}) as credit_card_utilisation_pct,
        -- digital engagement
        cast(logins_30d as integer) as logins_30d,
        cast(logins_90d as integer) as logins_90d,
        {%- for family in families %}
        cast({{ family }}_page_views_90d as integer) as {{ family }}_page_views_90d,
        {%- endfor %}
        -- service
        cast(branch_visits_12m as integer) as branch_visits_12m,
        cast(calls_12m as integer) as calls_12m,
        cast(online_chats_12m as integer) as online_chats_12m,
        cast(complaints_12m as integer) as complaints_12m,
        -- credit
        bureau_report_date,
        cast(external_debt_amount as decimal(18, 2)) as external_debt_amount,
        cast(debt_to_income_ratio as {{ type_double() }}) as debt_to_income_ratio,
        cast(delinquencies_24m as integer) as delinquencies_24m,
        cast(inquiries_6m as integer) as inquiries_6m,
        cast(bureau_worst_days_past_due_24m as integer) as bureau_worst_days_past_due_24m,
        cast(internal_worst_days_past_due_24m as integer) as internal_worst_days_past_due_24m,
        cast(worst_days_past_due as integer) as worst_days_past_due
    from derived
)

select * from final
