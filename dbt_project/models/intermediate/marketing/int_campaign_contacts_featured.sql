{#-
    The training set of the propensity models: one row per past campaign contact
    (stg_core_banking__campaign_contacts, latest version), with the product family of the
    campaign, whether the customer was held out, whether they responded, and the signals of
    macro marketing_signals as of the day BEFORE the campaign started (features_as_of_date),
    so no behaviour from the campaign period (including the response itself) leaks in.
-#}

with

campaigns as (
    select * from {{ ref('stg_core_banking__campaigns') }}
),

campaign_contacts as (
    select * from {{ ref('stg_core_banking__campaign_contacts') }}
),

products as (
    select * from {{ ref('products') }}
),

-- read twice by marketing_signals: each reads only the columns it needs, and no copy is held
transactions as {{ not_materialized() }} (
    select * from {{ ref('int_transactions_enriched') }}
),

daily_digital_events as (
    select * from {{ ref('int_digital_events_aggregated_daily') }}
),

wealth_orders as (
    select * from {{ ref('stg_core_banking__wealth_orders') }}
),

holdings as (
    select * from {{ ref('stg_core_banking__holdings') }}
),

customers as (
    select * from {{ ref('stg_core_banking__customers') }}
),

service_interactions as (
    select * from {{ ref('stg_core_banking__service_interactions') }}
),

page_product_families as (
    select * from {{ ref('page_product_families') }}
),

balances as (
    select * from {{ ref('int_balances_aggregated_daily') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

contacts as (
    select
        campaign_contacts.contact_id,
        campaign_contacts.campaign_id,
        campaign_contacts.customer_id,
        campaigns.product_code,
        products.product_family,
        campaigns.start_date,
        cast({{ dbt.dateadd('day', -1, 'campaigns.start_date') }} as date) as features_as_of_date,
        campaign_contacts.is_holdout,
        coalesce(campaign_contacts.responded, false) as responded
    from campaign_contacts
    inner join campaigns
        on campaign_contacts.campaign_id = campaigns.campaign_id
    inner join products
        on campaigns.product_code = products.product_code
    cross join as_of
    -- campaigns that started by as_of_date (their responses may still be coming in)
    where campaigns.start_date <= as_of.as_of_date
),

spine as (
    select distinct
        customer_id,
        features_as_of_date as as_of_date
    from contacts
),

signals as (
    {{ marketing_signals(
        'spine', 'transactions', 'daily_digital_events', 'wealth_orders', 'holdings', 'products',
        'customers', 'service_interactions', 'page_product_families', 'balances'
    ) }}
),

final as (
    select
        contacts.contact_id,
        contacts.campaign_id,
        contacts.customer_id,
        contacts.product_code,
        contacts.product_family,
        contacts.start_date,
        contacts.features_as_of_date,
        contacts.is_holdout,
        contacts.responded,
        {%- for column in marketing_signal_columns() %}
        round(cast(signals.{{ column }} as {{ type_double() }}), 6) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from contacts
    inner join signals
        on contacts.customer_id = signals.customer_id
        and contacts.features_as_of_date = signals.as_of_date
)

select * from final
