{#-
    Month-over-month segment transition matrix: for every pair of consecutive snapshot
    months in segment_snapshots, customers per (from_segment, to_segment) and their share
    of the from_segment. Customers in only one of the two months (onboarded, left) are not
    counted.
-#}

with

segment_snapshots as (
    select * from {{ ref('segment_snapshots') }}
),

segmentation_codes as (
    select * from {{ ref('segmentation_codes') }}
),

paired_snapshots as (
    select
        from_snapshots.snapshot_month as from_snapshot_month,
        to_snapshots.snapshot_month as to_snapshot_month,
        from_snapshots.segment_code as from_segment_code,
        to_snapshots.segment_code as to_segment_code,
        from_snapshots.customer_id
    from segment_snapshots as from_snapshots
    inner join segment_snapshots as to_snapshots
        on from_snapshots.customer_id = to_snapshots.customer_id
        and to_snapshots.snapshot_month
            = cast({{ dbt.dateadd('month', 1, 'from_snapshots.snapshot_month') }} as date)
),

transitions as (
    select
        from_snapshot_month,
        to_snapshot_month,
        from_segment_code,
        to_segment_code,
        count(*) as customers_count
    from paired_snapshots
    group by from_snapshot_month, to_snapshot_month, from_segment_code, to_segment_code
),

final as (
    select
        transitions.from_snapshot_month,
        transitions.to_snapshot_month,
        transitions.from_segment_code,
        from_segments.label_zh as from_segment_label_zh,
        transitions.to_segment_code,
        to_segments.label_zh as to_segment_label_zh,
        cast(transitions.customers_count as integer) as customers_count,
        cast({{ safe_divide(
            'transitions.customers_count',
            'sum(transitions.customers_count) over (
                partition by transitions.from_snapshot_month, transitions.from_segment_code
            )'
        ) }} as {{ type_double() }}) as share_pct
    from transitions
    left join segmentation_codes as from_segments
        on from_segments.code_list = 'segment'
        and transitions.from_segment_code = from_segments.code
    left join segmentation_codes as to_segments
        on to_segments.code_list = 'segment'
        and transitions.to_segment_code = to_segments.code
)

select * from final
