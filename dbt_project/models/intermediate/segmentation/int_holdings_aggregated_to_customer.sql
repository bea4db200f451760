{#-
    One row per customer with holdings in the latest month-end snapshot on or before
    as_of_date: market value per product family, CNY. Time deposits and large CDs are
    counted here only (customer_features has wealth and insurance in wealth_aum_amount,
    moved on by later orders), so segmentation can see a customer's whole AUM.
-#}

-- as_of_date() reads the latest booked day: depends_on: {{ ref('int_transactions_enriched') }}

with

holdings as (
    select * from {{ ref('stg_core_banking__holdings') }}
),

products as (
    select * from {{ ref('products') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
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

final as (
    select
        holdings.customer_id,
        holdings.snapshot_date,
        cast(sum(case when products.product_family = 'deposit' then holdings.market_value else 0 end)
            as decimal(18, 2)) as deposit_products_amount,
        cast(sum(case when products.product_family = 'wealth' then holdings.market_value else 0 end)
            as decimal(18, 2)) as wealth_products_amount,
        cast(sum(case when products.product_family = 'insurance' then holdings.market_value else 0 end)
            as decimal(18, 2)) as insurance_products_amount
    from holdings
    inner join latest_snapshots
        on holdings.customer_id = latest_snapshots.customer_id
        and holdings.snapshot_date = latest_snapshots.snapshot_date
    left join products
        on holdings.product_code = products.product_code
    group by holdings.customer_id, holdings.snapshot_date
)

select * from final
