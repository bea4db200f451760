{#-
    Segment stability per pair of consecutive snapshot months: of the customers in a
    segment in one month (and snapshotted in the next), the share still in it a month
    later. Read from segment_transitions.
-#}

with

segment_transitions as (
    select * from {{ ref('segment_transitions') }}
),

final as (
    select
        from_snapshot_month,
        to_snapshot_month,
        from_segment_code as segment_code,
        max(from_segment_label_zh) as segment_label_zh,
        cast(sum(customers_count) as integer) as customers_count,
        cast(sum(case when to_segment_code = from_segment_code then customers_count else 0 end) as integer)
            as stayed_customers_count,
        cast({{ safe_divide(
            'sum(case when to_segment_code = from_segment_code then customers_count else 0 end)',
            'sum(customers_count)'
        ) }} as {{ type_double() }}) as stability_pct
    from segment_transitions
    group by from_snapshot_month, to_snapshot_month, from_segment_code
)

select * from final
