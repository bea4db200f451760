{#-
    One row per customer of customer_features and offerable product (seeds/marketing_offer_terms.csv):
    every gate an offer must pass, and whether it passes all of them. next_best_offers and
    campaign_audiences select from the rows that pass; the others say why not.

    suitability  product risk_level <= the customer's KYC risk tolerance (R1 when unknown) and
                 <= the cap of their age band (seeds/marketing_suitability_rules.csv, e.g. R2 from 65)
    credit       credit products only where credit_decisions approves or refers, and the
                 decision's credit_limit_amount reaches the product's min_credit_limit_amount
    consent      marketing_consent and not do_not_contact
    contact cap  fewer than contact_cap_count campaign contacts (holdout excluded) in the
                 contact_cap_days up to as_of_date (seeds/marketing_parameters.csv)
    holding      a product whose family the customer already holds is skipped where
                 skip_if_family_held (e.g. a second first-home mortgage)
    channel      the best-ranked contact channel for the customer's preferred channel
                 (seeds/marketing_channel_preferences.csv) that the product allows
-#}

with

customer_features as (
    select * from {{ ref('customer_features') }}
),

credit_decisions as (
    select * from {{ ref('credit_decisions') }}
),

campaign_contacts as (
    select * from {{ ref('stg_core_banking__campaign_contacts') }}
),

products as (
    select * from {{ ref('products') }}
),

offer_terms as (
    select * from {{ ref('marketing_offer_terms') }}
),

suitability_rules as (
    select * from {{ ref('marketing_suitability_rules') }}
),

channel_preferences as (
    select * from {{ ref('marketing_channel_preferences') }}
),

parameters as (
    select
        cast({{ marketing_parameter('contact_cap_count') }} as integer) as contact_cap_count,
        cast({{ marketing_parameter('contact_cap_days') }} as integer) as contact_cap_days
),

offerable_products as (
    select
        products.product_code,
        products.product_family,
        products.risk_level,
        products.is_credit,
        products.allowed_channels,
        offer_terms.min_credit_limit_amount,
        offer_terms.skip_if_family_held
    from products
    inner join offer_terms
        on products.product_code = offer_terms.product_code
    where offer_terms.is_offerable
),

recent_contacts as (
    select
        customer_features.customer_id,
        count(campaign_contacts.contact_id) as contacts_count
    from customer_features
    cross join parameters
    inner join campaign_contacts
        on customer_features.customer_id = campaign_contacts.customer_id
        and not campaign_contacts.is_holdout
        and campaign_contacts.contacted_at < {{ dbt.dateadd('day', 1, 'customer_features.as_of_date') }}
        and campaign_contacts.contacted_at
            >= {{ dbt.dateadd('day', '1 - parameters.contact_cap_days', 'customer_features.as_of_date') }}
    group by customer_features.customer_id
),

customers as (
    select
        customer_features.customer_id,
        customer_features.as_of_date,
        customer_features.age_years,
        coalesce(customer_features.kyc_risk_tolerance, 'R1') as kyc_risk_tolerance,
        coalesce(customer_features.marketing_consent, false) as marketing_consent,
        coalesce(customer_features.do_not_contact, false) as do_not_contact,
        coalesce(customer_features.preferred_channel, 'unknown') as preferred_channel,
        customer_features.mortgages_count,
        customer_features.credit_cards_count,
        customer_features.consumer_loans_count,
        customer_features.business_loans_count,
        customer_features.wealth_products_count,
        customer_features.insurance_products_count,
        customer_features.deposit_products_count,
        suitability_rules.max_risk_level as age_max_risk_level,
        coalesce(recent_contacts.contacts_count, 0) as recent_contacts_count,
        parameters.contact_cap_count,
        credit_decisions.decision as credit_decision,
        coalesce(credit_decisions.credit_limit_amount, 0) as credit_limit_amount
    from customer_features
    cross join parameters
    left join suitability_rules
        on customer_features.age_years between suitability_rules.min_age and suitability_rules.max_age
    left join recent_contacts
        on customer_features.customer_id = recent_contacts.customer_id
    left join credit_decisions
        on customer_features.customer_id = credit_decisions.customer_id
),

channels as (
    select
        customers.customer_id,
        offerable_products.product_code,
        channel_preferences.contact_channel,
        row_number() over (
            partition by customers.customer_id, offerable_products.product_code
            order by channel_preferences.preference_rank
        ) as channel_rank
    from customers
    inner join channel_preferences
        on customers.preferred_channel = channel_preferences.preferred_channel
    inner join offerable_products
        on position('|' || channel_preferences.contact_channel || '|' in '|' || offerable_products.allowed_channels || '|') > 0
),

gated as (
    select
        customers.customer_id,
        customers.as_of_date,
        offerable_products.product_code,
        offerable_products.product_family,
        offerable_products.risk_level,
        offerable_products.is_credit,
        customers.kyc_risk_tolerance,
        customers.age_years,
        -- the stricter of the KYC tolerance and the age cap (R1 when no age rule matches)
        'R' || cast(least(
            {{ risk_level_number('customers.kyc_risk_tolerance') }},
            {{ risk_level_number("coalesce(customers.age_max_risk_level, 'R1')") }}
        ) as {{ dbt.type_string() }}) as max_allowed_risk_level,
        {{ risk_level_number('offerable_products.risk_level') }} <= least(
            {{ risk_level_number('customers.kyc_risk_tolerance') }},
            {{ risk_level_number("coalesce(customers.age_max_risk_level, 'R1')") }}
        ) as is_suitable,
        customers.credit_decision,
        customers.credit_limit_amount,
        not offerable_products.is_credit
            or (customers.credit_decision in ('approve', 'refer')
                and customers.credit_limit_amount >= coalesce(offerable_products.min_credit_limit_amount, 0))
            as is_credit_eligible,
        customers.marketing_consent,
        customers.do_not_contact,
        customers.marketing_consent and not customers.do_not_contact as is_contactable,
        customers.recent_contacts_count,
        customers.recent_contacts_count < customers.contact_cap_count as is_under_contact_cap,
        offerable_products.skip_if_family_held and (case offerable_products.product_family
            when 'mortgage' then customers.mortgages_count
            when 'credit_card' then customers.credit_cards_count
            when 'consumer_loan' then customers.consumer_loans_count
            when 'business_loan' then customers.business_loans_count
            when 'wealth' then customers.wealth_products_count
            when 'insurance' then customers.insurance_products_count
            when 'deposit' then customers.deposit_products_count
            else 0
        end) > 0 as is_family_already_held,
        customers.preferred_channel,
        channels.contact_channel
    from customers
    cross join offerable_products
    left join channels
        on customers.customer_id = channels.customer_id
        and offerable_products.product_code = channels.product_code
        and channels.channel_rank = 1
),

final as (
    select
        customer_id,
        as_of_date,
        product_code,
        product_family,
        risk_level,
        is_credit,
        kyc_risk_tolerance,
        age_years,
        max_allowed_risk_level,
        is_suitable,
        credit_decision,
        cast(credit_limit_amount as decimal(18, 2)) as credit_limit_amount,
        is_credit_eligible,
        marketing_consent,
        do_not_contact,
        is_contactable,
        cast(recent_contacts_count as integer) as recent_contacts_count,
        is_under_contact_cap,
        is_family_already_held,
        preferred_channel,
        contact_channel,
        is_suitable and is_credit_eligible and is_contactable and is_under_contact_cap
            and not is_family_already_held as is_eligible_for_campaign,
        is_suitable and is_credit_eligible and is_contactable and is_under_contact_cap
            and not is_family_already_held and contact_channel is not null as is_eligible,
        nullif(rtrim({{ dbt.concat([
            "case when not is_suitable then 'suitability|' else '' end",
            "case when not is_credit_eligible then 'credit|' else '' end",
            "case when not marketing_consent then 'no_consent|' else '' end",
            "case when do_not_contact then 'do_not_contact|' else '' end",
            "case when not is_under_contact_cap then 'contact_cap|' else '' end",
            "case when is_family_already_held then 'already_held|' else '' end",
            "case when contact_channel is null then 'no_channel|' else '' end",
        ]) }}, '|'), '') as failed_gates
    from gated
)

select * from final
