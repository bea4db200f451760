{#-
    The current scorecard (source risk_model, fitted by the Dagster asset risk_scorecard)
    applied to every customer of customer_features, with the features of
    int_risk_features_computed as of the same as_of_date: score (higher = lower risk), the
    calibrated 12-month PD, the grade of the master scale (seeds/risk_master_scale.csv), the
    ability and willingness sub-scores (the points of each group of features; they add up
    to the score) and up to four reason codes: the features that lost the most points against
    their best bin, largest loss first (ties in the model's feature order).
-#}

with

customer_features as (
    select * from {{ ref('customer_features') }}
),

risk_features as (
    select * from {{ ref('int_risk_features_computed') }}
),

scorecard as (
    select * from {{ source('risk_model', 'scorecard') }}
),

calibration as (
    select * from {{ source('risk_model', 'calibration') }}
),

risk_master_scale as (
    select * from {{ ref('risk_master_scale') }}
),

risk_reason_codes as (
    select * from {{ ref('risk_reason_codes') }}
),

scored_customers as (
    select risk_features.*
    from risk_features
    inner join customer_features
        on risk_features.customer_id = customer_features.customer_id
        and risk_features.as_of_date = customer_features.as_of_date
),

values_long as (
    {{ unpivot_risk_features('scored_customers', 'customer_id') }}
),

feature_points as (
    {{ scorecard_points('values_long', 'scorecard') }}
),

grouped_points as (
    select
        feature_points.*,
        risk_reason_codes.sub_score,
        row_number() over (
            partition by feature_points.row_id
            order by feature_points.points_lost desc, feature_points.feature_order
        ) as loss_rank
    from feature_points
    left join risk_reason_codes
        on feature_points.reason_code = risk_reason_codes.reason_code
),

scores as (
    select
        row_id as customer_id,
        round(sum(points), 2) as score,
        round(sum(case when sub_score = 'ability' then points else 0 end), 2) as ability_score,
        round(sum(case when sub_score = 'willingness' then points else 0 end), 2) as willingness_score,
        {%- for rank in range(1, 5) %}
        max(case when loss_rank = {{ rank }} and points_lost > 0 then reason_code end) as reason_code_{{ rank }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from grouped_points
    group by row_id
),

calibrated as (
    select
        scores.*,
        calibration.model_id,
        {{ score_to_pd('scores.score', 'calibration.calibration_intercept', 'calibration.calibration_slope') }}
            as pd_12m
    from scores
    cross join calibration
),

final as (
    select
        scored_customers.customer_id,
        scored_customers.as_of_date,
        calibrated.model_id,
        cast(calibrated.score as decimal(10, 2)) as score,
        cast(calibrated.pd_12m as {{ type_double() }}) as pd_12m,
        risk_master_scale.grade as risk_grade,
        cast(calibrated.ability_score as decimal(10, 2)) as ability_score,
        cast(calibrated.willingness_score as decimal(10, 2)) as willingness_score,
        calibrated.reason_code_1,
        calibrated.reason_code_2,
        calibrated.reason_code_3,
        calibrated.reason_code_4
    from scored_customers
    inner join calibrated
        on scored_customers.customer_id = calibrated.customer_id
    left join risk_master_scale
        on calibrated.pd_12m >= risk_master_scale.min_pd
        and calibrated.pd_12m < risk_master_scale.max_pd
)

select * from final
