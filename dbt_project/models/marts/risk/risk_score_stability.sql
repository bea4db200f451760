{#-
    Population stability of the current scorecard: the population it is applied to (every
    customer of risk_scores, scored as of as_of_date) against the same kind of population
    at the reference day, stability_reference_months (12) before as_of_date: every customer
    onboarded by then, with the features of int_risk_features_computed as of that day,
    scored with the current scorecard. The reference day is the end of the latest
    development cohort's origination window, so the reference is the customer base the
    scorecard was developed for. (The loans of risk_training_set are not the reference: they
    are borrowers on the day before a new loan, whose debt service includes that loan and
    whose mix of personas differs from the customer base by design.)
    One row per variable: the score, in 10 bands cut at the reference population's score
    deciles, and each scorecard feature, in its scorecard bins (the missing bin included).
    PSI = sum over bins of (current share - reference share) x ln(current share / reference
    share), shares floored at 0.0001. Status against psi_warn_threshold / psi_fail_threshold
    (seeds/risk_parameters.csv).
-#}

with

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

reference_day as (
    select cast({{ dbt.dateadd(
        'month',
        'cast(-1 * ' ~ risk_parameter('stability_reference_months') ~ ' as integer)',
        '(select max(as_of_date) from risk_scores)'
    ) }} as date) as as_of_date
),

reference_customers as (
    select risk_features.*
    from risk_features
    inner join reference_day
        on risk_features.as_of_date = reference_day.as_of_date
),

current_customers as (
    select risk_features.*
    from risk_features
    inner join risk_scores
        on risk_features.customer_id = risk_scores.customer_id
        and risk_features.as_of_date = risk_scores.as_of_date
),

reference_values as (
    {{ unpivot_risk_features('reference_customers', 'customer_id') }}
),

current_values as (
    {{ unpivot_risk_features('current_customers', 'customer_id') }}
),

reference_points as (
    {{ scorecard_points('reference_values', 'scorecard') }}
),

current_points as (
    {{ scorecard_points('current_values', 'scorecard') }}
),

reference_scores as (
    select
        row_id,
        round(sum(points), 2) as score
    from reference_points
    group by row_id
),

score_deciles as (
    select
        score,
        ntile(10) over (order by score) as decile
    from reference_scores
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
        'reference' as population,
        reference_scores.row_id,
        reference_scores.score
    from reference_scores
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
    select 'reference' as population, feature as variable, 'feature' as variable_kind, bin_index
    from reference_points
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
        sum(case when population = 'reference' then 1 else 0 end) as reference_rows,
        sum(case when population = 'current' then 1 else 0 end) as current_rows
    from all_bins
    group by variable, variable_kind, bin_index
),

bin_shares as (
    select
        bin_counts.*,
        {{ safe_divide('reference_rows', 'sum(reference_rows) over (partition by variable)') }} as reference_share,
        {{ safe_divide('current_rows', 'sum(current_rows) over (partition by variable)') }} as current_share
    from bin_counts
),

stability as (
    select
        variable,
        variable_kind,
        count(*) as bins_count,
        sum(reference_rows) as reference_rows,
        sum(current_rows) as current_rows,
        sum({{ psi_term('coalesce(reference_share, 0)', 'coalesce(current_share, 0)') }}) as psi
    from bin_shares
    group by variable, variable_kind
),

final as (
    select
        stability.variable,
        stability.variable_kind,
        cast(stability.bins_count as integer) as bins_count,
        cast(stability.reference_rows as integer) as reference_rows,
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
