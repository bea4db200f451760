{#-
    Past campaigns (source data: stg_core_banking__campaigns, campaign_contacts): conversion
    of the contacted customers against the randomly held-out ones, per campaign (segment_code
    'all') and per campaign and customer segment. uplift = contacted conversion - holdout
    conversion, with a normal-approximation (Wald) confidence interval for a difference of two
    proportions, z from seeds/marketing_parameters.csv (confidence_z, 1.96 = 95%); null when a
    group is empty. The segment is the customer's CURRENT segment (customer_segments as of
    as_of_date): segments are not kept as of each campaign's date.
-#}

with

campaigns as (
    select * from {{ ref('stg_core_banking__campaigns') }}
),

campaign_contacts as (
    select * from {{ ref('stg_core_banking__campaign_contacts') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

products as (
    select * from {{ ref('products') }}
),

parameters as (
    select {{ marketing_parameter('confidence_z') }} as confidence_z
),

contacts as (
    select
        campaign_contacts.campaign_id,
        campaign_contacts.customer_id,
        campaign_contacts.is_holdout,
        coalesce(campaign_contacts.responded, false) as responded,
        coalesce(customer_segments.segment_code, 'unknown') as segment_code
    from campaign_contacts
    left join customer_segments
        on campaign_contacts.customer_id = customer_segments.customer_id
),

grouped as (
    select campaign_id, segment_code, is_holdout, responded from contacts
    union all
    select campaign_id, 'all' as segment_code, is_holdout, responded from contacts
),

counts as (
    select
        campaign_id,
        segment_code,
        sum(case when not is_holdout then 1 else 0 end) as contacted_count,
        sum(case when not is_holdout and responded then 1 else 0 end) as contacted_responders_count,
        sum(case when is_holdout then 1 else 0 end) as holdout_count,
        sum(case when is_holdout and responded then 1 else 0 end) as holdout_responders_count
    from grouped
    group by campaign_id, segment_code
),

rates as (
    select
        counts.*,
        {{ safe_divide('contacted_responders_count', 'contacted_count') }} as contacted_conversion_pct,
        {{ safe_divide('holdout_responders_count', 'holdout_count') }} as holdout_conversion_pct
    from counts
),

uplifts as (
    select
        rates.*,
        contacted_conversion_pct - holdout_conversion_pct as uplift_pct,
        sqrt(
            contacted_conversion_pct * (1 - contacted_conversion_pct) / nullif(contacted_count, 0)
            + holdout_conversion_pct * (1 - holdout_conversion_pct) / nullif(holdout_count, 0)
        ) as uplift_standard_error
    from rates
),

final as (
    select
        uplifts.campaign_id,
        campaigns.campaign_name,
        campaigns.product_code,
        products.product_family,
        campaigns.channel,
        campaigns.start_date,
        campaigns.end_date,
        uplifts.segment_code,
        cast(uplifts.contacted_count as integer) as contacted_count,
        cast(uplifts.contacted_responders_count as integer) as contacted_responders_count,
        cast(uplifts.contacted_conversion_pct as {{ type_double() }}) as contacted_conversion_pct,
        cast(uplifts.holdout_count as integer) as holdout_count,
        cast(uplifts.holdout_responders_count as integer) as holdout_responders_count,
        cast(uplifts.holdout_conversion_pct as {{ type_double() }}) as holdout_conversion_pct,
        cast(uplifts.uplift_pct as {{ type_double() }}) as uplift_pct,
        cast(uplifts.uplift_pct - parameters.confidence_z * uplifts.uplift_standard_error as {{ type_double() }})
            as uplift_ci_low_pct,
        cast(uplifts.uplift_pct + parameters.confidence_z * uplifts.uplift_standard_error as {{ type_double() }})
            as uplift_ci_high_pct,
        coalesce(uplifts.uplift_pct - parameters.confidence_z * uplifts.uplift_standard_error > 0, false)
            as is_uplift_significant,
        cast(uplifts.uplift_pct * uplifts.contacted_count as {{ type_double() }}) as incremental_responders
    from uplifts
    inner join campaigns
        on uplifts.campaign_id = campaigns.campaign_id
    left join products
        on campaigns.product_code = products.product_code
    cross join parameters
)

select * from final
