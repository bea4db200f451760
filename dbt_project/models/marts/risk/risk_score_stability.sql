{#-
    Population stability of the current scorecard: the training population (every loan of
    risk_training_set, scored with the current scorecard) against the current population
    (risk_scores' customers). One row per variable: the score, in 10 bands cut at the
    training population's score deciles, and each scorecard feature, in its scorecard bins
    (the missing bin included). PSI = sum over bins of (current share - training share) x
    ln(current share / training share), shares floored at 0.0001. Status against
    psi_warn_threshold / psi_fail_threshold (seeds/risk_parameters.csv).
-#}

with

risk_training_set as (
    select * from {{ ref('risk_training_set') }}
),

risk_features as (
    select * from {{ ref('int_risk_features_computed') }}
),

risk_scores as (
    select * from {{ ref('risk_scores') }}
),

scorecard as (
    select * from {{ source('risk_model', 'scorecard') }}
),

thresholds as (
    select
        {{ risk_parameter('psi_warn_threshold') }} as warn_threshold,
        {{ risk_parameter('psi_fail_threshold') }} as fail_threshold
),

current_customers as (
    select risk_features.*
    from risk_features
    inner join risk_scores
        on risk_features.customer_id = risk_scores.customer_id
        and risk_features.as_of_date = risk_scores.as_of_date
),

training_values as (
    {{ unpivot_risk_features('risk_training_set', 'loan_id') }}
),

current_values as (
    {{ unpivot_risk_features('current_customers', 'customer_id') }}
),

training_points as (
    {{ scorecard_points('training_values', 'scorecard') }}
),

current_points as (
    {{ scorecard_points('current_values', 'scorecard') }}
),

training_scores as (
    select
        row_id,
        round(sum(points), 2) as score
    from training_points
    group by row_id
),

score_deciles as (
    select
        score,
        ntile(10) over (order by score) as decile
    from training_scores
),

band_cuts as (
    select
        decile as band,
        max(score) as upper_score
    from score_deciles
    where decile < 10
    group by decile
),

banded_scores as (
    select
        'training' as population,
        training_scores.row_id,
        training_scores.score
    from training_scores
    union all
    select
        'current' as population,
        risk_scores.customer_id as row_id,
        cast(risk_scores.score as {{ type_double() }}) as score
    from risk_scores
),

score_bins as (
    select
        banded_scores.population,
        'score' as variable,
        'score' as variable_kind,
        1 + count(band_cuts.band) as bin_index
    from banded_scores
    left join band_cuts
        on banded_scores.score > band_cuts.upper_score
    group by banded_scores.population, banded_scores.row_id
),

feature_bins as (
    select 'training' as population, feature as variable, 'feature' as variable_kind, bin_index
    from training_points
    union all
    select 'current' as population, feature as variable, 'feature' as variable_kind, bin_index
    from current_points
),

all_bins as (
    select population, variable, variable_kind, bin_index from score_bins
    union all
    select population, variable, variable_kind, bin_index from feature_bins
),

bin_counts as (
    select
        variable,
        variable_kind,
        bin_index,
        sum(case when population = 'training' then 1 else 0 end) as training_rows,
        sum(case when population = 'current' then 1 else 0 end) as current_rows
    from all_bins
    group by variable, variable_kind, bin_index
),

bin_shares as (
    select
        bin_counts.*,
        {{ safe_divide('training_rows', 'sum(training_rows) over (partition by variable)') }} as training_share,
        {{ safe_divide('current_rows', 'sum(current_rows) over (partition by variable)') }} as current_share
    from bin_counts
),

stability as (
    select
        variable,
        variable_kind,
        count(*) as bins_count,
        sum(training_rows) as training_rows,
        sum(current_rows) as current_rows,
        sum({{ psi_term('coalesce(training_share, 0)', 'coalesce(current_share, 0)') }}) as psi
    from bin_shares
    group by variable, variable_kind
),

final as (
    select
        stability.variable,
        stability.variable_kind,
        cast(stability.bins_count as integer) as bins_count,
        cast(stability.training_rows as integer) as training_rows,
        cast(stability.current_rows as integer) as current_rows,
        cast(stability.psi as {{ type_double() }}) as psi,
        case
            when stability.psi > thresholds.fail_threshold then 'shifted'
            when stability.psi > thresholds.warn_threshold then 'watch'
            else 'stable'
        end as stability_status
    from stability
    cross join thresholds
)

select * from final
