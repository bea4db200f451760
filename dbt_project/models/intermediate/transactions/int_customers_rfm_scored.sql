{#-
    RFM per customer onboarded by as_of_date, from consumption spends (is_spend):
    recency_days since the last spend, frequency_12m spends and monetary_12m_amount spent over
    the 12 rolling months up to as_of_date, each scored 1 (worst) to 5 (best) through
    seeds/rfm_score_bands.csv. A customer without any spend scores 1 on recency.
-#}

with

transactions as (
    select * from {{ ref('int_transactions_enriched') }}
),

customers as (
    select * from {{ ref('stg_core_banking__customers') }}
),

rfm_score_bands as (
    select * from {{ ref('rfm_score_bands') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

onboarded_customers as (
    select customers.customer_id
    from customers
    cross join as_of
    where cast(customers.created_at as date) <= as_of.as_of_date
),

transactions_12m as (
    select transactions.*
    from transactions
    cross join as_of
    where {{ whole_months_between('transactions.booked_date', 'as_of.as_of_date') }} < 12
),

last_spends as (
    select
        transactions.customer_id,
        max(transactions.booked_date) as last_spend_date
    from transactions
    where transactions.is_spend
    group by transactions.customer_id
),

spend_12m as (
    select
        customer_id,
        count(*) as frequency_12m,
        sum(-amount) as monetary_12m_amount
    from transactions_12m
    where is_spend
    group by customer_id
),

rfm_values as (
    select
        onboarded_customers.customer_id,
        {{ dbt.datediff('last_spends.last_spend_date', 'as_of.as_of_date', 'day') }} as recency_days,
        coalesce(spend_12m.frequency_12m, 0) as frequency_12m,
        coalesce(spend_12m.monetary_12m_amount, 0) as monetary_12m_amount
    from onboarded_customers
    cross join as_of
    left join last_spends
        on onboarded_customers.customer_id = last_spends.customer_id
    left join spend_12m
        on onboarded_customers.customer_id = spend_12m.customer_id
),

rfm_scored as (
    select
        rfm_values.customer_id,
        rfm_values.recency_days,
        rfm_values.frequency_12m,
        rfm_values.monetary_12m_amount,
        coalesce(max(case when rfm_score_bands.metric = 'recency_days' then rfm_score_bands.score end), 1)
            as recency_score,
        coalesce(max(case when rfm_score_bands.metric = 'frequency_12m' then rfm_score_bands.score end), 1)
            as frequency_score,
        coalesce(max(case when rfm_score_bands.metric = 'monetary_12m_amount' then rfm_score_bands.score end), 1)
            as monetary_score
    from rfm_values
    left join rfm_score_bands
        on (rfm_score_bands.metric = 'recency_days'
            and rfm_values.recency_days >= rfm_score_bands.lower_bound
            and rfm_values.recency_days < rfm_score_bands.upper_bound)
        or (rfm_score_bands.metric = 'frequency_12m'
            and rfm_values.frequency_12m >= rfm_score_bands.lower_bound
            and rfm_values.frequency_12m < rfm_score_bands.upper_bound)
        or (rfm_score_bands.metric = 'monetary_12m_amount'
            and rfm_values.monetary_12m_amount >= rfm_score_bands.lower_bound
            and rfm_values.monetary_12m_amount < rfm_score_bands.upper_bound)
    group by
        rfm_values.customer_id,
        rfm_values.recency_days,
        rfm_values.frequency_12m,
        rfm_values.monetary_12m_amount
),

final as (
    select
        customer_id,
        cast(recency_days as integer) as recency_days,
        cast(frequency_12m as integer) as frequency_12m,
        cast(monetary_12m_amount as decimal(18, 2)) as monetary_12m_amount,
        cast(recency_score as integer) as recency_score,
        cast(frequency_score as integer) as frequency_score,
        cast(monetary_score as integer) as monetary_score,
        cast(recency_score + frequency_score + monetary_score as integer) as rfm_score,
        {{ dbt.concat([
            dbt.cast('recency_score', dbt.type_string()),
            dbt.cast('frequency_score', dbt.type_string()),
            dbt.cast('monetary_score', dbt.type_string()),
        ]) }} as rfm_code
    from rfm_scored
)

select * from final
