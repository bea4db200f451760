{#-
    The audience of every planned campaign (seeds/marketing_campaign_definitions.csv): the
    audience_size customers with the highest propensity for the campaign's product family
    (product_propensities) among those its product passes every gate for
    (offer_eligibility.is_eligible_for_campaign: suitability, credit, consent, contact cap,
    holding; the channel is the campaign's). A deterministic random share is held out: the
    customer is in the holdout when the md5 bucket of campaign_id|customer_id (macro
    stable_bucket) is below holdout_share x holdout_buckets, so the same customer stays in
    (or out of) the holdout on every rebuild. Masked identity only.
-#}

with

campaign_definitions as (
    select * from {{ ref('marketing_campaign_definitions') }}
),

offer_eligibility as (
    select * from {{ ref('offer_eligibility') }}
),

product_propensities as (
    select * from {{ ref('product_propensities') }}
),

offer_terms as (
    select * from {{ ref('marketing_offer_terms') }}
),

customers as (
    select * from {{ ref('stg_core_banking__customers') }}
),

parameters as (
    select cast({{ marketing_parameter('holdout_buckets') }} as integer) as holdout_buckets
),

candidates as (
    select
        campaign_definitions.campaign_id,
        offer_eligibility.customer_id,
        offer_eligibility.as_of_date,
        offer_eligibility.risk_level,
        offer_eligibility.kyc_risk_tolerance,
        offer_eligibility.age_years,
        offer_eligibility.marketing_consent,
        offer_eligibility.do_not_contact,
        offer_eligibility.credit_decision,
        offer_eligibility.credit_limit_amount,
        product_propensities.propensity,
        product_propensities.propensity * offer_terms.product_value_amount as expected_value_amount,
        row_number() over (
            partition by campaign_definitions.campaign_id
            order by product_propensities.propensity desc, offer_eligibility.customer_id
        ) as audience_rank
    from campaign_definitions
    inner join offer_eligibility
        on campaign_definitions.product_code = offer_eligibility.product_code
    inner join product_propensities
        on offer_eligibility.customer_id = product_propensities.customer_id
        and offer_eligibility.product_family = product_propensities.product_family
    inner join offer_terms
        on campaign_definitions.product_code = offer_terms.product_code
    where offer_eligibility.is_eligible_for_campaign
),

selected as (
    select
        candidates.*,
        {{ stable_bucket("candidates.campaign_id || '|' || candidates.customer_id", 'parameters.holdout_buckets') }}
            as holdout_bucket,
        parameters.holdout_buckets
    from candidates
    inner join campaign_definitions
        on candidates.campaign_id = campaign_definitions.campaign_id
    cross join parameters
    where candidates.audience_rank <= campaign_definitions.audience_size
),

final as (
    select
        selected.campaign_id,
        campaign_definitions.campaign_name,
        campaign_definitions.product_code,
        campaign_definitions.channel,
        campaign_definitions.start_date,
        campaign_definitions.end_date,
        selected.customer_id,
        cast(selected.audience_rank as integer) as audience_rank,
        cast(selected.propensity as {{ type_double() }}) as score,
        cast(selected.expected_value_amount as decimal(18, 2)) as expected_value_amount,
        cast(selected.holdout_bucket as integer) as holdout_bucket,
        selected.holdout_bucket < campaign_definitions.holdout_share * selected.holdout_buckets as is_holdout,
        customers.full_name_masked,
        customers.mobile_phone_masked,
        customers.email_masked,
        -- the gate inputs, for audit (re-checked by the data test offers_pass_every_gate)
        selected.risk_level,
        selected.kyc_risk_tolerance,
        selected.age_years,
        selected.marketing_consent,
        selected.do_not_contact,
        selected.credit_decision,
        selected.credit_limit_amount,
        selected.as_of_date
    from selected
    inner join campaign_definitions
        on selected.campaign_id = campaign_definitions.campaign_id
    inner join customers
        on selected.customer_id = customers.customer_id
)

select * from final
