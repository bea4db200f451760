{#-
    One row per customer in customer_features: segment (客群), value tier and lifecycle
    stage, each from the first matching rule of its seed (segment_rules.csv,
    value_tier_rules.csv, lifecycle_stage_rules.csv; evaluated generically by the macro
    rule_assignment_ctes, so analysts retune a rule without touching SQL), with the rule
    that matched and the feature values it saw, plus the segment's service strategy
    (segment_strategies.csv). Rules may test any column of customer_features and the AUM
    features added here (deposit_products_amount, invested_assets_amount, total_aum_amount).
-#}

with

customer_features as (
    select * from {{ ref('customer_features') }}
),

holdings as (
    select * from {{ ref('int_holdings_aggregated_to_customer') }}
),

segment_rules as (
    select * from {{ ref('segment_rules') }}
),

value_tier_rules as (
    select * from {{ ref('value_tier_rules') }}
),

lifecycle_stage_rules as (
    select * from {{ ref('lifecycle_stage_rules') }}
),

segmentation_codes as (
    select * from {{ ref('segmentation_codes') }}
),

segment_strategies as (
    select * from {{ ref('segment_strategies') }}
),

features as (
    select
        customer_features.*,
        coalesce(holdings.deposit_products_amount, 0) as deposit_products_amount,
        coalesce(holdings.deposit_products_amount, 0) + customer_features.wealth_aum_amount
            as invested_assets_amount,
        customer_features.deposit_balance_amount + coalesce(holdings.deposit_products_amount, 0)
            + customer_features.wealth_aum_amount as total_aum_amount
    from customer_features
    left join holdings
        on customer_features.customer_id = holdings.customer_id
),

feature_values as {{ materialized() }} (
    -- every feature as text, once, kept for the features some rule tests (a dozen of the
    -- ninety columns): all three rule families below read it
    select all_feature_values.*
    from (
        {{ unpivot_to_text('features', 'customer_id') }}
    ) as all_feature_values
    where all_feature_values.feature in (
        select feature from segment_rules
        union
        select feature from value_tier_rules
        union
        select feature from lifecycle_stage_rules
    )
),

{{ rule_assignment_ctes('features', 'feature_values', 'segment_rules', 'segment_code', 'segment') }}

{{ rule_assignment_ctes('features', 'feature_values', 'value_tier_rules', 'value_tier', 'value_tier') }}

{{ rule_assignment_ctes('features', 'feature_values', 'lifecycle_stage_rules', 'lifecycle_stage', 'lifecycle') }}

final as (
    select
        features.customer_id,
        features.as_of_date,
        segment_assigned.segment_code,
        segments.label_zh as segment_label_zh,
        segments.label_en as segment_label_en,
        segment_assigned.matched_rule_id,
        segment_assigned.evidence_json as match_evidence_json,
        value_tier_assigned.value_tier,
        value_tiers.label_zh as value_tier_label_zh,
        value_tiers.label_en as value_tier_label_en,
        value_tier_assigned.matched_rule_id as value_tier_rule_id,
        value_tier_assigned.evidence_json as value_tier_evidence_json,
        lifecycle_assigned.lifecycle_stage,
        lifecycle_stages.label_zh as lifecycle_stage_label_zh,
        lifecycle_stages.label_en as lifecycle_stage_label_en,
        lifecycle_assigned.matched_rule_id as lifecycle_stage_rule_id,
        lifecycle_assigned.evidence_json as lifecycle_stage_evidence_json,
        segment_strategies.service_strategy_zh,
        segment_strategies.service_strategy_en,
        segment_strategies.recommended_product_families,
        segment_strategies.recommended_products_zh,
        segment_strategies.recommended_products_en,
        cast(features.deposit_products_amount as decimal(18, 2)) as deposit_products_amount,
        cast(features.invested_assets_amount as decimal(18, 2)) as invested_assets_amount,
        cast(features.total_aum_amount as decimal(18, 2)) as total_aum_amount
    from features
    left join segment_assigned
        on features.customer_id = segment_assigned.customer_id
    left join value_tier_assigned
        on features.customer_id = value_tier_assigned.customer_id
    left join lifecycle_assigned
        on features.customer_id = lifecycle_assigned.customer_id
    left join segmentation_codes as segments
        on segments.code_list = 'segment'
        and segment_assigned.segment_code = segments.code
    left join segmentation_codes as value_tiers
        on value_tiers.code_list = 'value_tier'
        and value_tier_assigned.value_tier = value_tiers.code
    left join segmentation_codes as lifecycle_stages
        on lifecycle_stages.code_list = 'lifecycle_stage'
        and lifecycle_assigned.lifecycle_stage = lifecycle_stages.code
    left join segment_strategies
        on segment_assigned.segment_code = segment_strategies.segment_code
)

select * from final
