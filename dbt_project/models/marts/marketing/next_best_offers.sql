{#-
    Up to max_offers_per_customer ranked offers per customer (seeds/marketing_parameters.csv):
    only rows of offer_eligibility that pass every gate, with a propensity of at least
    min_offer_propensity; the best product of each family by expected value
    (propensity x product_value_amount), then the families by expected value. The reason
    is the product's pitch (seeds/marketing_offer_terms.csv) and the evidence of the
    family's intent (customer_intents).
-#}

with

offer_eligibility as (
    select * from {{ ref('offer_eligibility') }}
),

product_propensities as (
    select * from {{ ref('product_propensities') }}
),

customer_intents as (
    select * from {{ ref('customer_intents') }}
),

offer_terms as (
    select * from {{ ref('marketing_offer_terms') }}
),

parameters as (
    select
        {{ marketing_parameter('max_offers_per_customer') }} as max_offers,
        {{ marketing_parameter('min_offer_propensity') }} as min_propensity
),

intent_evidence as (
    {%- set intents = ['home_purchase', 'wealth', 'consumer_credit', 'business_financing', 'insurance'] %}
    {%- for intent in intents %}
    select customer_id, '{{ intent }}' as intent, {{ intent }}_evidence_zh as evidence_zh, {{ intent }}_evidence_en as evidence_en
    from customer_intents
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

candidates as (
    select
        offer_eligibility.customer_id,
        offer_eligibility.as_of_date,
        offer_eligibility.product_code,
        offer_eligibility.product_family,
        offer_eligibility.contact_channel as channel,
        offer_eligibility.risk_level,
        offer_eligibility.kyc_risk_tolerance,
        offer_eligibility.age_years,
        offer_eligibility.marketing_consent,
        offer_eligibility.do_not_contact,
        offer_eligibility.credit_decision,
        offer_eligibility.credit_limit_amount,
        product_propensities.propensity,
        product_propensities.propensity_source,
        product_propensities.intent,
        product_propensities.propensity * offer_terms.product_value_amount as expected_value_amount,
        offer_terms.reason_zh,
        offer_terms.reason_en
    from offer_eligibility
    inner join product_propensities
        on offer_eligibility.customer_id = product_propensities.customer_id
        and offer_eligibility.product_family = product_propensities.product_family
    inner join offer_terms
        on offer_eligibility.product_code = offer_terms.product_code
    cross join parameters
    where offer_eligibility.is_eligible
        and product_propensities.propensity >= parameters.min_propensity
),

best_in_family as (
    select
        candidates.*,
        row_number() over (
            partition by candidates.customer_id, candidates.product_family
            order by candidates.expected_value_amount desc, candidates.product_code
        ) as family_rank
    from candidates
),

ranked as (
    select
        best_in_family.*,
        row_number() over (
            partition by best_in_family.customer_id
            order by best_in_family.expected_value_amount desc, best_in_family.product_code
        ) as offer_rank
    from best_in_family
    where best_in_family.family_rank = 1
),

final as (
    select
        ranked.customer_id,
        cast(ranked.offer_rank as integer) as offer_rank,
        ranked.product_code,
        ranked.product_family,
        cast(ranked.propensity as {{ type_double() }}) as score,
        cast(ranked.expected_value_amount as decimal(18, 2)) as expected_value_amount,
        ranked.propensity_source,
        ranked.channel,
        ranked.intent,
        case
            when intent_evidence.evidence_zh is not null then ranked.reason_zh || '：' || intent_evidence.evidence_zh
            else ranked.reason_zh
        end as reason_text_zh,
        case
            when intent_evidence.evidence_en is not null then ranked.reason_en || ': ' || lower(intent_evidence.evidence_en)
            else ranked.reason_en
        end as reason_text_en,
        -- the gate inputs, for audit (re-checked by the data test offers_pass_every_gate)
        ranked.risk_level,
        ranked.kyc_risk_tolerance,
        ranked.age_years,
        ranked.marketing_consent,
        ranked.do_not_contact,
        ranked.credit_decision,
        ranked.credit_limit_amount,
        ranked.as_of_date
    from ranked
    cross join parameters
    left join intent_evidence
        on ranked.customer_id = intent_evidence.customer_id
        and ranked.intent = intent_evidence.intent
    where ranked.offer_rank <= parameters.max_offers
)

select * from final
