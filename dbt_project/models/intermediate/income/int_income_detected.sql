{#-
    Income detection, one row per customer onboarded by as_of_date, from the external inflows
    of current, savings and business accounts over the lookback (12 months up to as_of_date):
      salary    credits from an employer counterparty that pays in most months;
      pension   credits from a pension fund in most months;
      business  inflows from many distinct business counterparties;
      other     irregular inflows (individuals, government, irregular payers) of some size;
      none      none of these.
    When several regular sources qualify, the largest over the lookback wins. Months are
    rolling: month_offset 0 is the month ending on as_of_date. Thresholds live in
    seeds/income_detection_rules.csv. The SQL is the macro pit_income_detected, which also
    profiles loan applicants as of their application day (int_risk_features_computed).
-#}

with

transactions as (
    select * from {{ ref('int_transactions_enriched') }}
),

customers as (
    select * from {{ ref('stg_core_banking__customers') }}
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
),

final as (
    {{ pit_income_detected('spine', 'transactions', 'customers') }}
)

select * from final
