{#-
    For BI: one row per segment and value tier, plus one row per segment over all tiers
    (value_tier 'all'): customers, income and AUM (average and median), products per
    customer, channel mix and the top 3 consumption categories by 12-month spend. Money in
    CNY. The offer mix: share of customers with any next best offer, with an offer of each
    product family (marketing.next_best_offers, any rank) and the most frequent first offer.
    No risk grade mix: the risk marts do not exist yet (see docs/segmentation.md).
-#}

{%- set channels = profiled_channels() -%}
{%- set categories = consumption_categories() -%}
{%- set families = product_families() -%}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

customer_features as (
    select * from {{ ref('customer_features') }}
),

segmentation_codes as (
    select * from {{ ref('segmentation_codes') }}
),

consumption_categories as (
    select * from {{ ref('consumption_categories') }}
),

next_best_offers as (
    select * from {{ ref('next_best_offers') }}
),

customer_offers as (
    select
        customer_id,
        1 as has_offer,
        {%- for family in families %}
        max(case when product_family = '{{ family }}' then 1 else 0 end) as has_{{ family }}_offer,
        {%- endfor %}
        max(case when offer_rank = 1 then product_code end) as first_offer_product_code
    from next_best_offers
    group by customer_id
),

segmented_customers as (
    select
        customer_segments.customer_id,
        customer_segments.as_of_date,
        customer_segments.segment_code,
        customer_segments.value_tier,
        customer_segments.total_aum_amount,
        customer_features.monthly_income_amount,
        customer_features.products_held_count,
        customer_features.monetary_12m_amount,
        coalesce(customer_offers.has_offer, 0) as has_offer,
        {%- for family in families %}
        coalesce(customer_offers.has_{{ family }}_offer, 0) as has_{{ family }}_offer,
        {%- endfor %}
        customer_offers.first_offer_product_code,
        {%- for channel in channels %}
        customer_features.{{ channel }}_channel_pct,
        {%- endfor %}
        {%- for category in categories %}
        customer_features.{{ category }}_spend_pct{% if not loop.last %},{% endif %}
        {%- endfor %}
    from customer_segments
    inner join customer_features
        on customer_segments.customer_id = customer_features.customer_id
    left join customer_offers
        on customer_segments.customer_id = customer_offers.customer_id
),

{#- Each customer counts in its tier's row and in its segment's 'all' row. -#}
grouped_customers as (
    select segmented_customers.*, value_tier as summary_tier from segmented_customers
    union all
    select segmented_customers.*, 'all' as summary_tier from segmented_customers
),

group_totals as (
    select
        segment_code,
        summary_tier as value_tier,
        max(as_of_date) as as_of_date,
        count(*) as customers_count,
        avg(monthly_income_amount) as avg_monthly_income_amount,
        percentile_cont(0.5) within group (order by monthly_income_amount) as median_monthly_income_amount,
        avg(total_aum_amount) as avg_total_aum_amount,
        percentile_cont(0.5) within group (order by total_aum_amount) as median_total_aum_amount,
        avg(products_held_count) as avg_products_held_count,
        avg(has_offer) as customers_with_offer_pct,
        {%- for family in families %}
        avg(has_{{ family }}_offer) as {{ family }}_offer_pct,
        {%- endfor %}
        {%- for channel in channels %}
        avg({{ channel }}_channel_pct) as {{ channel }}_channel_pct{% if not loop.last %},{% endif %}
        {%- endfor %}
    from grouped_customers
    group by segment_code, summary_tier
),

category_spends as (
    {%- for category in categories %}
    select
        segment_code,
        summary_tier as value_tier,
        '{{ category }}' as consumption_category,
        sum({{ category }}_spend_pct * monetary_12m_amount) as spend_amount
    from grouped_customers
    group by segment_code, summary_tier
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

ranked_categories as (
    select
        category_spends.*,
        {{ safe_divide(
            'category_spends.spend_amount',
            'sum(category_spends.spend_amount) over (partition by category_spends.segment_code, category_spends.value_tier)'
        ) }} as spend_share_pct,
        row_number() over (
            partition by category_spends.segment_code, category_spends.value_tier
            order by category_spends.spend_amount desc, category_spends.consumption_category
        ) as category_rank
    from category_spends
    where category_spends.spend_amount > 0
),

first_offers as (
    select
        segment_code,
        summary_tier as value_tier,
        first_offer_product_code,
        row_number() over (
            partition by segment_code, summary_tier
            order by count(*) desc, first_offer_product_code
        ) as offer_rank
    from grouped_customers
    where first_offer_product_code is not null
    group by segment_code, summary_tier, first_offer_product_code
),

top_categories as (
    select
        ranked_categories.segment_code,
        ranked_categories.value_tier,
        {%- for rank in [1, 2, 3] %}
        max(case when ranked_categories.category_rank = {{ rank }} then ranked_categories.consumption_category end)
            as top_category_{{ rank }},
        max(case when ranked_categories.category_rank = {{ rank }} then consumption_categories.label_zh end)
            as top_category_{{ rank }}_label_zh,
        max(case when ranked_categories.category_rank = {{ rank }} then consumption_categories.label_en end)
            as top_category_{{ rank }}_label_en,
        max(case when ranked_categories.category_rank = {{ rank }} then ranked_categories.spend_share_pct end)
            as top_category_{{ rank }}_spend_pct{% if not loop.last %},{% endif %}
        {%- endfor %}
    from ranked_categories
    left join consumption_categories
        on ranked_categories.consumption_category = consumption_categories.category
    where ranked_categories.category_rank <= 3
    group by ranked_categories.segment_code, ranked_categories.value_tier
),

final as (
    select
        group_totals.segment_code,
        segments.label_zh as segment_label_zh,
        segments.label_en as segment_label_en,
        group_totals.value_tier,
        coalesce(value_tiers.label_zh, '全部') as value_tier_label_zh,
        coalesce(value_tiers.label_en, 'All tiers') as value_tier_label_en,
        group_totals.as_of_date,
        cast(group_totals.customers_count as integer) as customers_count,
        -- shares and averages of doubles rounded to 6 places: their last bits depend on the
        -- order rows are summed in, and a rebuild must give the same table
        round(cast({{ safe_divide(
            'group_totals.customers_count',
            "sum(case when group_totals.value_tier = 'all' then group_totals.customers_count end) over ()"
        ) }} as {{ type_double() }}), 6) as customers_share_pct,
        cast(group_totals.avg_monthly_income_amount as decimal(18, 2)) as avg_monthly_income_amount,
        cast(group_totals.median_monthly_income_amount as decimal(18, 2)) as median_monthly_income_amount,
        cast(group_totals.avg_total_aum_amount as decimal(18, 2)) as avg_total_aum_amount,
        cast(group_totals.median_total_aum_amount as decimal(18, 2)) as median_total_aum_amount,
        round(cast(group_totals.avg_products_held_count as {{ type_double() }}), 6) as avg_products_held_count,
        round(cast(group_totals.customers_with_offer_pct as {{ type_double() }}), 6) as customers_with_offer_pct,
        {%- for family in families %}
        round(cast(group_totals.{{ family }}_offer_pct as {{ type_double() }}), 6) as {{ family }}_offer_pct,
        {%- endfor %}
        first_offers.first_offer_product_code as top_first_offer_product_code,
        {%- for channel in channels %}
        round(cast(group_totals.{{ channel }}_channel_pct as {{ type_double() }}), 6) as {{ channel }}_channel_pct,
        {%- endfor %}
        {%- for rank in [1, 2, 3] %}
        top_categories.top_category_{{ rank }},
        top_categories.top_category_{{ rank }}_label_zh,
        top_categories.top_category_{{ rank }}_label_en,
        round(cast(top_categories.top_category_{{ rank }}_spend_pct as {{ type_double() }}), 6) as top_category_{{ rank }}_spend_pct,
        {%- endfor %}
        coalesce(segments.sort_order, 99) * 10 + coalesce(value_tiers.sort_order, 0) as sort_order
    from group_totals
    left join top_categories
        on group_totals.segment_code = top_categories.segment_code
        and group_totals.value_tier = top_categories.value_tier
    left join first_offers
        on group_totals.segment_code = first_offers.segment_code
        and group_totals.value_tier = first_offers.value_tier
        and first_offers.offer_rank = 1
    left join segmentation_codes as segments
        on segments.code_list = 'segment'
        and group_totals.segment_code = segments.code
    left join segmentation_codes as value_tiers
        on value_tiers.code_list = 'value_tier'
        and group_totals.value_tier = value_tiers.code
)

select * from final
