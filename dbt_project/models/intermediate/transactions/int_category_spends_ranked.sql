{#-
    Spend per customer and consumption category over the 12 months up to as_of_date (rolling
    months, as in int_income_detected), with the category's share of the customer's spend and
    its rank (1 = largest spend; ties broken by the category sort order).
-#}

with

transactions as (
    select * from {{ ref('int_transactions_enriched') }}
),

consumption_categories as (
    select * from {{ ref('consumption_categories') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

spends_12m as (
    select
        transactions.customer_id,
        transactions.consumption_category,
        -transactions.amount as spend_amount
    from transactions
    cross join as_of
    where transactions.is_spend
        and {{ whole_months_between('transactions.booked_date', 'as_of.as_of_date') }} < 12
),

category_spends as (
    select
        customer_id,
        consumption_category,
        count(*) as spend_count_12m,
        sum(spend_amount) as spend_12m_amount
    from spends_12m
    group by customer_id, consumption_category
),

shared as (
    select
        category_spends.customer_id,
        category_spends.consumption_category,
        consumption_categories.label_zh as category_label_zh,
        consumption_categories.label_en as category_label_en,
        category_spends.spend_count_12m,
        category_spends.spend_12m_amount,
        {{ safe_divide(
            'category_spends.spend_12m_amount',
            'sum(category_spends.spend_12m_amount) over (partition by category_spends.customer_id)'
        ) }} as spend_share_pct,
        row_number() over (
            partition by category_spends.customer_id
            order by category_spends.spend_12m_amount desc, consumption_categories.sort_order
        ) as category_rank
    from category_spends
    left join consumption_categories
        on category_spends.consumption_category = consumption_categories.category
),

final as (
    select
        customer_id,
        consumption_category,
        category_label_zh,
        category_label_en,
        cast(spend_count_12m as integer) as spend_count_12m,
        cast(spend_12m_amount as decimal(18, 2)) as spend_12m_amount,
        cast(spend_share_pct as {{ type_double() }}) as spend_share_pct,
        cast(category_rank as integer) as category_rank
    from shared
)

select * from final
