{#-
    The staff view of a customer (客户360视图), one row per customer in customer_features:
    masked identity, demographics, income and wealth, holdings, 12-month behaviour, top
    spending categories, service history, the segment and its service strategy
    (customer_segments), the risk grade and credit decision (risk_scores,
    credit_decisions), and the next best offers (marketing). No clear PII: staging only
    passes masked values and keyed hashes on.
-#}

with

customers as (
    select * from {{ ref('stg_core_banking__customers') }}
),

customer_features as (
    select * from {{ ref('customer_features') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

risk_scores as (
    select * from {{ ref('risk_scores') }}
),

credit_decisions as (
    select * from {{ ref('credit_decisions') }}
),

category_spends as (
    select * from {{ ref('int_category_spends_ranked') }}
),

service_interactions as (
    select * from {{ ref('stg_core_banking__service_interactions') }}
),

code_values as (
    select * from {{ ref('code_values') }}
),

next_best_offers as (
    select * from {{ ref('next_best_offers') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

top_categories as (
    select
        customer_id,
        {%- for rank in [1, 2, 3] %}
        max(case when category_rank = {{ rank }} then consumption_category end) as top_category_{{ rank }},
        max(case when category_rank = {{ rank }} then category_label_zh end) as top_category_{{ rank }}_label_zh,
        max(case when category_rank = {{ rank }} then category_label_en end) as top_category_{{ rank }}_label_en,
        max(case when category_rank = {{ rank }} then spend_share_pct end) as top_category_{{ rank }}_spend_pct{% if not loop.last %},{% endif %}
        {%- endfor %}
    from category_spends
    where category_rank <= 3
    group by customer_id
),

past_interactions as (
    select
        service_interactions.*,
        row_number() over (
            partition by service_interactions.customer_id
            order by service_interactions.interaction_at desc, service_interactions.interaction_id desc
        ) as recency_rank
    from service_interactions
    cross join as_of
    where service_interactions.interaction_at < {{ dbt.dateadd('day', 1, 'as_of.as_of_date') }}
),

last_interactions as (
    select
        past_interactions.customer_id,
        cast(past_interactions.interaction_at as date) as last_interaction_date,
        past_interactions.interaction_type as last_interaction_type,
        past_interactions.channel as last_interaction_channel,
        past_interactions.topic as last_interaction_topic,
        topics.label_zh as last_interaction_topic_label_zh,
        topics.label_en as last_interaction_topic_label_en,
        past_interactions.is_resolved as is_last_interaction_resolved
    from past_interactions
    left join code_values as topics
        on topics.code_list = 'topic'
        and past_interactions.topic = topics.code
    where past_interactions.recency_rank = 1
),

offer_lists as (
    select
        customer_id,
        {{ dbt.listagg('product_code', "'|'", 'order by offer_rank') }} as next_best_offers
    from next_best_offers
    group by customer_id
),

last_complaints as (
    select
        customer_id,
        max(cast(interaction_at as date)) as last_complaint_date
    from past_interactions
    where interaction_type = 'complaint'
    group by customer_id
),

final as (
    select
        customer_features.customer_id,
        customer_features.as_of_date,
        -- masked identity
        customers.full_name_masked,
        customers.id_number_masked,
        customers.mobile_phone_masked,
        customers.email_masked,
        customers.address_masked,
        -- demographics
        customer_features.gender,
        customer_features.age_years,
        customer_features.age_band,
        customers.city,
        customer_features.city_tier,
        customer_features.occupation,
        occupations.label_zh as occupation_label_zh,
        customer_features.employer_type,
        customer_features.education,
        customer_features.marital_status,
        customer_features.kyc_risk_tolerance,
        customer_features.marketing_consent,
        customer_features.do_not_contact,
        cast(customers.created_at as date) as customer_since_date,
        customer_features.tenure_months,
        -- income and wealth
        customer_features.income_source,
        customer_features.monthly_income_amount,
        customer_features.income_stability_cv,
        customer_features.deposit_balance_amount,
        customer_features.avg_deposit_balance_12m_amount,
        customer_features.wealth_aum_amount,
        cast(customer_features.deposit_balance_amount + customer_features.wealth_aum_amount as decimal(18, 2))
            as total_assets_amount,
        customer_features.loans_outstanding_amount,
        customer_features.credit_card_utilisation_pct,
        -- holdings
        customer_features.products_held_count,
        customer_features.deposit_accounts_count,
        customer_features.deposit_products_count,
        customer_features.wealth_products_count,
        customer_features.insurance_products_count,
        customer_features.credit_cards_count,
        customer_features.mortgages_count,
        customer_features.consumer_loans_count,
        customer_features.business_loans_count,
        -- 12-month behaviour
        customer_features.recency_days,
        customer_features.frequency_12m,
        customer_features.monetary_12m_amount,
        customer_features.rfm_code,
        {%- for rank in [1, 2, 3] %}
        top_categories.top_category_{{ rank }},
        top_categories.top_category_{{ rank }}_label_zh,
        top_categories.top_category_{{ rank }}_label_en,
        cast(top_categories.top_category_{{ rank }}_spend_pct as {{ type_double() }}) as top_category_{{ rank }}_spend_pct,
        {%- endfor %}
        customer_features.preferred_channel,
        channels.label_zh as preferred_channel_label_zh,
        customer_features.logins_30d,
        -- service
        last_interactions.last_interaction_date,
        last_interactions.last_interaction_type,
        last_interactions.last_interaction_channel,
        last_interactions.last_interaction_topic,
        last_interactions.last_interaction_topic_label_zh,
        last_interactions.last_interaction_topic_label_en,
        last_interactions.is_last_interaction_resolved,
        customer_features.branch_visits_12m,
        customer_features.calls_12m,
        customer_features.complaints_12m,
        last_complaints.last_complaint_date,
        -- segmentation (customer_segments)
        customer_segments.segment_code,
        customer_segments.segment_label_zh,
        customer_segments.segment_label_en,
        customer_segments.value_tier,
        customer_segments.lifecycle_stage,
        customer_segments.service_strategy_zh,
        customer_segments.service_strategy_en,
        customer_segments.recommended_product_families,
        -- risk (risk_scores, credit_decisions)
        risk_scores.risk_grade,
        credit_decisions.decision as credit_decision,
        credit_decisions.credit_limit_amount,
        credit_decisions.interest_rate,
        credit_decisions.is_guarantee_required,
        credit_decisions.reason_codes as credit_reason_codes,
        case
            when credit_decisions.decision = 'decline' then credit_decisions.reason_codes
        end as decline_reason_codes,
        -- marketing (next_best_offers)
        offer_lists.next_best_offers
    from customer_features
    inner join customers
        on customer_features.customer_id = customers.customer_id
    left join code_values as occupations
        on occupations.code_list = 'occupation'
        and customer_features.occupation = occupations.code
    left join code_values as channels
        on channels.code_list = 'channel'
        and customer_features.preferred_channel = channels.code
    left join top_categories
        on customer_features.customer_id = top_categories.customer_id
    left join last_interactions
        on customer_features.customer_id = last_interactions.customer_id
    left join last_complaints
        on customer_features.customer_id = last_complaints.customer_id
    left join customer_segments
        on customer_features.customer_id = customer_segments.customer_id
    left join risk_scores
        on customer_features.customer_id = risk_scores.customer_id
    left join credit_decisions
        on customer_features.customer_id = credit_decisions.customer_id
    left join offer_lists
        on customer_features.customer_id = offer_lists.customer_id
)

select * from final
