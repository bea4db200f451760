{#-
    Helpers of the marketing models (intermediate/marketing/, marts/marketing/).

    marketing_signals(spine, ...) computes the behavioural signals behind the intent scores
    for a SPINE of (customer_id, as_of_date) pairs, from inputs dated on or before that
    pair's as_of_date only. The same SQL profiles every current customer as of
    as_of_date() (int_customers_signals_computed) and every past campaign contact as of the
    day before the campaign started (int_campaign_contacts_featured), so the propensity
    models are trained on exactly the features they are later applied to, with no leakage.
-#}

{#- The signal columns, in order: intent weights (seeds/marketing_intent_signals.csv) and
    the propensity models (orchestration/assets/marketing.py) use these names. -#}
{% macro marketing_signal_columns() -%}
    {{ return([
        'age_years',
        'is_home_buying_life_stage',
        'savings_rate_3m',
        'savings_rate_rise',
        'property_payments_6m',
        'mortgage_page_share_6m',
        'wealth_purchases_12m',
        'wealth_redemptions_12m',
        'wealth_page_views_90d',
        'wealth_holdings_amount',
        'idle_balance_months',
        'wealth_topics_12m',
        'credit_page_views_90d',
        'spend_to_inflow_ratio_6m',
        'is_young_earner',
        'business_counterparties_6m',
        'business_loan_page_views_90d',
        'business_spend_payments_6m',
        'insurance_page_views_90d',
        'pension_months_6m',
        'deposit_page_views_90d',
        'monthly_inflow_amount',
        'logins_90d',
    ]) }}
{%- endmacro %}

{#- The most signals an intent may have in seeds/marketing_intent_signals.csv: customer_intents
    joins the cited ones in this many slots, and a test on the seed (fits_citation_slots)
    fails the build if an intent has more. -#}
{% macro max_signals_per_intent() -%}
    {{ return(8) }}
{%- endmacro %}

{#-
    The values of `value` in a group, joined by `separator` in the order of `rank_column`
    (1, 2, ... max_rank), for a group whose rows a window has ranked: an ordered listagg
    that spills. Under DuckDB's memory limit a window and max(case ...) spill to disk, while
    string_agg, ordered or not, ran out of memory (customer_intents at 1,000,000 customers
    under a 3 GB cap). max_rank must be at least the largest rank, or the values ranked
    after it are left out. A null value is skipped, except at rank 1, where it makes the
    whole text null (customer_intents' values are never null: its seed tests the labels).
-#}
{% macro concat_in_rank_order(value, separator, rank_column, max_rank) -%}
    max(case when {{ rank_column }} = 1 then {{ value }} end)
    {%- for rank in range(2, max_rank + 1) %}
        || coalesce({{ separator }} || max(case when {{ rank_column }} = {{ rank }} then {{ value }} end), '')
    {%- endfor %}
{%- endmacro %}

{#- One parameter of seeds/marketing_parameters.csv, as a scalar subquery. -#}
{% macro marketing_parameter(name) -%}
    (select max(value) from {{ ref('marketing_parameters') }} where parameter = '{{ name }}')
{%- endmacro %}

{#- Risk levels 'R1'..'R5' as the integers 1..5 (comparable). -#}
{% macro risk_level_number(expression) -%}
    cast(substr({{ expression }}, 2, 1) as integer)
{%- endmacro %}

{#-
    A stable number in [0, buckets) from a text: the first 8 hex digits of its md5, so the
    same campaign and customer land in the same bucket on every rebuild and every engine.
-#}
{% macro stable_bucket(expression, buckets) -%}
    {{ return(adapter.dispatch('stable_bucket', 'bankprofile')(expression, buckets)) }}
{%- endmacro %}

{% macro duckdb__stable_bucket(expression, buckets) -%}
    (cast(('0x' || substr(md5({{ expression }}), 1, 8)) as bigint) % {{ buckets }})
{%- endmacro %}

{% macro default__stable_bucket(expression, buckets) -%}
    (cast(conv(substr(md5({{ expression }}), 1, 8), 16, 10) as bigint) % {{ buckets }})
{%- endmacro %}


{#-
    The signals for every (customer_id, as_of_date) pair of `spine` (unique pairs). Arguments
    are relation or CTE names: transactions (int_transactions_enriched), daily_digital_events
    (int_digital_events_aggregated_daily: events counted per customer, day, type and page),
    wealth_orders, holdings, products, customers, service_interactions,
    page_product_families, balances (int_balances_aggregated_daily).
    Windows count back from the pair's as_of_date: _90d in days, _3m/_6m/_12m in months.
-#}
{% macro marketing_signals(
    spine, transactions, daily_digital_events, wealth_orders, holdings, products, customers,
    service_interactions, page_product_families, balances
) -%}
    {%- set as_of = 'spine.as_of_date' -%}
    {%- set earning_types = "('employer', 'pension_fund', 'business', 'individual')" -%}
    select
        spine.customer_id,
        spine.as_of_date,
        cast({{ whole_years_between('customers.birth_date', as_of) }} as integer) as age_years,
        case
            when {{ whole_years_between('customers.birth_date', as_of) }}
                between {{ marketing_parameter('home_buying_min_age') }} and {{ marketing_parameter('home_buying_max_age') }}
                and (coalesce(inflow_sources.employer_months_6m, 0) >= 3 or coalesce(inflow_sources.business_counterparties_6m, 0) >= 5)
                then 1 else 0
        end as is_home_buying_life_stage,
        coalesce({{ safe_divide('flows.savings_transfers_3m_amount', 'flows.earnings_3m_amount') }}, 0)
            as savings_rate_3m,
        coalesce({{ safe_divide('flows.savings_transfers_3m_amount', 'flows.earnings_3m_amount') }}, 0)
            - coalesce({{ safe_divide('flows.savings_transfers_prior_6m_amount', 'flows.earnings_prior_6m_amount') }}, 0)
            as savings_rate_rise,
        coalesce(flows.property_payments_6m, 0) as property_payments_6m,
        coalesce({{ safe_divide('pages.mortgage_page_views_6m', 'pages.page_views_6m') }}, 0)
            as mortgage_page_share_6m,
        coalesce(orders.wealth_purchases_12m, 0) as wealth_purchases_12m,
        coalesce(orders.wealth_redemptions_12m, 0) as wealth_redemptions_12m,
        coalesce(pages.wealth_page_views_90d, 0) as wealth_page_views_90d,
        coalesce(held.wealth_holdings_amount, 0) as wealth_holdings_amount,
        coalesce(balance_on_day.deposit_balance_amount, 0)
            / greatest(coalesce(flows.earnings_6m_amount, 0) / 6, {{ marketing_parameter('income_floor_amount') }})
            as idle_balance_months,
        coalesce(topics.wealth_topics_12m, 0) as wealth_topics_12m,
        coalesce(pages.credit_page_views_90d, 0) as credit_page_views_90d,
        coalesce({{ safe_divide('flows.spend_6m_amount', 'flows.earnings_6m_amount') }}, 0)
            as spend_to_inflow_ratio_6m,
        case
            when {{ whole_years_between('customers.birth_date', as_of) }}
                between {{ marketing_parameter('young_earner_min_age') }} and {{ marketing_parameter('young_earner_max_age') }}
                and coalesce(inflow_sources.employer_months_6m, 0) >= 3
                then 1 else 0
        end as is_young_earner,
        coalesce(inflow_sources.business_counterparties_6m, 0) as business_counterparties_6m,
        coalesce(pages.business_loan_page_views_90d, 0) as business_loan_page_views_90d,
        coalesce(flows.business_spend_payments_6m, 0) as business_spend_payments_6m,
        coalesce(pages.insurance_page_views_90d, 0) as insurance_page_views_90d,
        coalesce(inflow_sources.pension_months_6m, 0) as pension_months_6m,
        coalesce(pages.deposit_page_views_90d, 0) as deposit_page_views_90d,
        coalesce(flows.earnings_6m_amount, 0) / 6 as monthly_inflow_amount,
        coalesce(pages.logins_90d, 0) as logins_90d
    from {{ spine }} as spine
    inner join {{ customers }} as customers
        on spine.customer_id = customers.customer_id
    left join (
        select
            spine.customer_id,
            spine.as_of_date,
            sum(case
                when t.account_type = 'savings' and t.amount > 0 and t.counterparty_type = 'internal'
                    and t.counterparty_id is not null
                    and t.booked_date > {{ dbt.dateadd('month', -3, as_of) }} then t.amount
            end) as savings_transfers_3m_amount,
            sum(case
                when t.account_type = 'savings' and t.amount > 0 and t.counterparty_type = 'internal'
                    and t.counterparty_id is not null
                    and t.booked_date <= {{ dbt.dateadd('month', -3, as_of) }} then t.amount
            end) as savings_transfers_prior_6m_amount,
            sum(case
                when t.account_type <> 'savings' and t.amount > 0 and t.counterparty_type in {{ earning_types }}
                    and t.booked_date > {{ dbt.dateadd('month', -3, as_of) }} then t.amount
            end) as earnings_3m_amount,
            sum(case
                when t.account_type <> 'savings' and t.amount > 0 and t.counterparty_type in {{ earning_types }}
                    and t.booked_date <= {{ dbt.dateadd('month', -3, as_of) }} then t.amount
            end) as earnings_prior_6m_amount,
            sum(case
                when t.account_type <> 'savings' and t.amount > 0 and t.counterparty_type in {{ earning_types }}
                    and t.booked_date > {{ dbt.dateadd('month', -6, as_of) }} then t.amount
            end) as earnings_6m_amount,
            sum(case
                when t.is_spend and t.booked_date > {{ dbt.dateadd('month', -6, as_of) }} then -t.amount
            end) as spend_6m_amount,
            count(case
                when t.is_spend and t.consumption_category in ('property', 'home_furnishing')
                    and t.booked_date > {{ dbt.dateadd('month', -6, as_of) }} then 1
            end) as property_payments_6m,
            count(case
                when t.is_spend and t.consumption_category in ('business_supplies', 'business_services')
                    and t.booked_date > {{ dbt.dateadd('month', -6, as_of) }} then 1
            end) as business_spend_payments_6m
        from {{ spine }} as spine
        inner join {{ transactions }} as t
            on spine.customer_id = t.customer_id
            and t.booked_date <= spine.as_of_date
            and t.booked_date > {{ dbt.dateadd('month', -9, as_of) }}
        group by spine.customer_id, spine.as_of_date
    ) as flows
        on spine.customer_id = flows.customer_id
        and spine.as_of_date = flows.as_of_date
    {#- Counted apart from flows, over the few inflows they count: a distinct count over every
        transaction of the nine months made DuckDB hash each of them once per count. #}
    left join (
        select
            spine.customer_id,
            spine.as_of_date,
            count(distinct case
                when t.counterparty_type = 'business' then t.counterparty_id
            end) as business_counterparties_6m,
            count(distinct case
                when t.counterparty_type = 'employer' then {{ dbt.date_trunc('month', 't.booked_date') }}
            end) as employer_months_6m,
            count(distinct case
                when t.counterparty_type = 'pension_fund' then {{ dbt.date_trunc('month', 't.booked_date') }}
            end) as pension_months_6m
        from {{ spine }} as spine
        inner join {{ transactions }} as t
            on spine.customer_id = t.customer_id
            and t.booked_date <= spine.as_of_date
            and t.booked_date > {{ dbt.dateadd('month', -6, as_of) }}
        where t.amount > 0
            and t.counterparty_type in ('business', 'employer', 'pension_fund')
        group by spine.customer_id, spine.as_of_date
    ) as inflow_sources
        on spine.customer_id = inflow_sources.customer_id
        and spine.as_of_date = inflow_sources.as_of_date
    left join (
        select
            spine.customer_id,
            spine.as_of_date,
            {{ events_where("e.event_type = 'page_view'") }} as page_views_6m,
            {{ events_where("pf.product_family = 'mortgage'") }} as mortgage_page_views_6m,
            {%- for condition, column in [
                ("pf.product_family = 'wealth'", 'wealth_page_views_90d'),
                ("pf.product_family = 'business_loan'", 'business_loan_page_views_90d'),
                ("pf.product_family = 'insurance'", 'insurance_page_views_90d'),
                ("pf.product_family = 'deposit'", 'deposit_page_views_90d'),
                ("pf.product_family in ('credit_card', 'consumer_loan')", 'credit_page_views_90d'),
                ("e.event_type = 'login'", 'logins_90d'),
            ] %}
            {{ events_where(condition ~ ' and e.event_date > ' ~ dbt.dateadd('day', -90, as_of)) }}
                as {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ spine }} as spine
        inner join {{ daily_digital_events }} as e
            on spine.customer_id = e.customer_id
            and e.event_date <= spine.as_of_date
            and e.event_date >= {{ dbt.dateadd('month', -6, as_of) }}
        left join {{ page_product_families }} as pf
            on e.page = pf.page
        group by spine.customer_id, spine.as_of_date
    ) as pages
        on spine.customer_id = pages.customer_id
        and spine.as_of_date = pages.as_of_date
    left join (
        select
            spine.customer_id,
            spine.as_of_date,
            count(case when o.order_type = 'purchase' then 1 end) as wealth_purchases_12m,
            count(case when o.order_type = 'redemption' then 1 end) as wealth_redemptions_12m
        from {{ spine }} as spine
        inner join {{ wealth_orders }} as o
            on spine.customer_id = o.customer_id
            and o.ordered_at < {{ dbt.dateadd('day', 1, as_of) }}
            and o.ordered_at >= {{ dbt.dateadd('month', -12, as_of) }}
        group by spine.customer_id, spine.as_of_date
    ) as orders
        on spine.customer_id = orders.customer_id
        and spine.as_of_date = orders.as_of_date
    left join (
        select
            latest.customer_id,
            latest.as_of_date,
            sum(h.market_value) as wealth_holdings_amount
        from (
            select spine.customer_id, spine.as_of_date, max(h.snapshot_date) as snapshot_date
            from {{ spine }} as spine
            inner join {{ holdings }} as h
                on spine.customer_id = h.customer_id
                and h.snapshot_date <= spine.as_of_date
            group by spine.customer_id, spine.as_of_date
        ) as latest
        inner join {{ holdings }} as h
            on latest.customer_id = h.customer_id
            and latest.snapshot_date = h.snapshot_date
        inner join {{ products }} as p
            on h.product_code = p.product_code
        where p.product_family = 'wealth'
        group by latest.customer_id, latest.as_of_date
    ) as held
        on spine.customer_id = held.customer_id
        and spine.as_of_date = held.as_of_date
    left join (
        select
            spine.customer_id,
            spine.as_of_date,
            count(case when s.topic = 'wealth' then 1 end) as wealth_topics_12m
        from {{ spine }} as spine
        inner join {{ service_interactions }} as s
            on spine.customer_id = s.customer_id
            and s.interaction_at < {{ dbt.dateadd('day', 1, as_of) }}
            and s.interaction_at >= {{ dbt.dateadd('month', -12, as_of) }}
        group by spine.customer_id, spine.as_of_date
    ) as topics
        on spine.customer_id = topics.customer_id
        and spine.as_of_date = topics.as_of_date
    left join {{ balances }} as balance_on_day
        on spine.customer_id = balance_on_day.customer_id
        and balance_on_day.balance_date <= spine.as_of_date
        and (balance_on_day.next_balance_date > spine.as_of_date or balance_on_day.next_balance_date is null)
{%- endmacro %}


{#- Rows where column_name lies outside [min_value, max_value] (nulls pass). -#}
{% test is_between(model, column_name, min_value, max_value) %}
    select *
    from {{ model }}
    where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}


{#- Generic test on the intent column of seeds/marketing_intent_signals.csv: no intent has
    more signals than customer_intents can cite (max_signals_per_intent). -#}
{% test fits_citation_slots(model, column_name) %}
    select
        {{ column_name }},
        count(*) as signals
    from {{ model }}
    group by {{ column_name }}
    having count(*) > {{ max_signals_per_intent() }}
{% endtest %}


{#-
    Offers (rows of `model`) that break a gate, re-checked from the gate inputs the model
    carries (kyc_risk_tolerance, age_years, marketing_consent, do_not_contact,
    credit_decision, credit_limit_amount) and the seeds alone (products, marketing_offer_terms,
    marketing_suitability_rules), not from offer_eligibility's flags: a product above the KYC
    risk tolerance or the age cap, no consent or do-not-contact, a credit product without an
    approve/refer decision or below the product's minimum limit. Only seeds are referenced, so
    the test runs with its model wherever the Dagster job splits the dbt build.
-#}
{% test offers_pass_every_gate(model) %}
    with

    offers as (
        select * from {{ model }}
    ),

    violations as (
        select offers.*
        from offers
        left join {{ ref('products') }} as products
            on offers.product_code = products.product_code
        left join {{ ref('marketing_offer_terms') }} as offer_terms
            on offers.product_code = offer_terms.product_code
        left join {{ ref('marketing_suitability_rules') }} as suitability_rules
            on offers.age_years between suitability_rules.min_age and suitability_rules.max_age
        where products.product_code is null
            or offers.kyc_risk_tolerance is null
            or {{ risk_level_number('products.risk_level') }} > {{ risk_level_number('offers.kyc_risk_tolerance') }}
            or suitability_rules.rule_id is null
            or {{ risk_level_number('products.risk_level') }} > {{ risk_level_number('suitability_rules.max_risk_level') }}
            or not coalesce(offers.marketing_consent, false)
            or coalesce(offers.do_not_contact, true)
            or (products.is_credit and (
                offers.credit_decision is null
                or offers.credit_decision not in ('approve', 'refer')
                or offers.credit_limit_amount < coalesce(offer_terms.min_credit_limit_amount, 0)
            ))
    )

    select * from violations
{% endtest %}


{#- Events on the daily rows `e` that meet a condition: 0 when none do, as a count would be. -#}
{% macro events_where(condition) -%}
    cast(coalesce(sum(case when {{ condition }} then e.event_count end), 0) as bigint)
{%- endmacro %}
