with

base as (
    select * from {{ ref('base_core_banking__wealth_orders') }}
    where _record_status = 'staged'
),

final as (
    select
        order_id,
        customer_id,
        account_id,
        product_code,
        order_type,
        amount,
        ordered_at,
        updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
