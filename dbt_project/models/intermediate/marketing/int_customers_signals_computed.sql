{#-
    One row per customer onboarded by as_of_date (the customers of customer_features): the
    behavioural signals behind the intent scores and the propensity models (macro
    marketing_signals), as of as_of_date, from inputs dated on or before it.
-#}

with

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

products as (
    select * from {{ ref('products') }}
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

spine as (
    select
        customers.customer_id,
        as_of.as_of_date
    from customers
    cross join as_of
    where cast(customers.created_at as date) <= as_of.as_of_date
),

signals as (
    {{ marketing_signals(
        'spine', 'transactions', 'daily_digital_events', 'wealth_orders', 'holdings', 'products',
        'customers', 'service_interactions', 'page_product_families', 'balances'
    ) }}
),

final as (
    select
        customer_id,
        as_of_date,
        {%- for column in marketing_signal_columns() %}
        cast({{ column }} as {{ type_double() }}) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from signals
)

select * from final
