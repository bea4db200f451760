{#-
    One row per customer of customer_features: a 0-1 score per intent (home purchase,
    wealth affinity, consumer-credit need, business-financing need, insurance need) with the
    evidence behind it. Each signal of int_customers_signals_computed scores
    (value - zero_at) / (full_at - zero_at), clipped to 0-1; an intent's score is the
    weighted mean of its signals' scores (weights and thresholds in
    seeds/marketing_intent_signals.csv). A signal at or above evidence_at is cited.
-#}

{%- set intents = ['home_purchase', 'wealth', 'consumer_credit', 'business_financing', 'insurance'] -%}

with

signals as (
    select * from {{ ref('int_customers_signals_computed') }}
),

intent_signals as (
    select * from {{ ref('marketing_intent_signals') }}
),

signal_values as (
    {%- for column in marketing_signal_columns() %}
    select customer_id, '{{ column }}' as signal, {{ column }} as signal_value from signals
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

scored_signals as (
    select
        signal_values.customer_id,
        intent_signals.intent,
        intent_signals.signal,
        signal_values.signal_value,
        intent_signals.weight,
        least(greatest(
            (coalesce(signal_values.signal_value, intent_signals.zero_at) - intent_signals.zero_at)
                / nullif(intent_signals.full_at - intent_signals.zero_at, 0),
            0), 1) as signal_score,
        signal_values.signal_value >= intent_signals.evidence_at as is_evidence,
        intent_signals.signal || '=' || cast(round(signal_values.signal_value, 2) as {{ dbt.type_string() }})
            as evidence_code,
        intent_signals.label_zh,
        intent_signals.label_en
    from signal_values
    inner join intent_signals
        on signal_values.signal = intent_signals.signal
),

intent_scores as (
    select
        customer_id,
        intent,
        -- summed as decimals: a sum of doubles differs in its last bits with the order rows
        -- arrive in, and rounding alone can still flip a value that sits on a boundary
        cast(round(
            sum(cast(weight * signal_score as decimal(18, 9)))
            / nullif(sum(cast(weight as decimal(18, 9))), 0),
            6
        ) as {{ type_double() }}) as intent_score
    from scored_signals
    group by customer_id, intent
),

cited_signals as (
    select
        customer_id,
        intent,
        evidence_code,
        label_zh,
        label_en,
        row_number() over (
            partition by customer_id, intent
            order by weight * signal_score desc, signal
        ) as citation_rank
    from scored_signals
    where is_evidence
),

intent_evidence as (
    -- the cited signals strongest first (a seed test keeps each intent within the slots)
    {%- set max_citations = max_signals_per_intent() %}
    select
        customer_id,
        intent,
        {{ concat_in_rank_order('evidence_code', "'|'", 'citation_rank', max_citations) }} as evidence,
        {{ concat_in_rank_order('label_zh', "'、'", 'citation_rank', max_citations) }} as evidence_zh,
        {{ concat_in_rank_order('label_en', "'; '", 'citation_rank', max_citations) }} as evidence_en
    from cited_signals
    group by customer_id, intent
),

pivoted as (
    select
        signals.customer_id,
        signals.as_of_date,
        {%- for intent in intents %}
        max(case when intent_scores.intent = '{{ intent }}' then intent_scores.intent_score end)
            as {{ intent }}_score,
        max(case when intent_evidence.intent = '{{ intent }}' then intent_evidence.evidence end)
            as {{ intent }}_evidence,
        max(case when intent_evidence.intent = '{{ intent }}' then intent_evidence.evidence_zh end)
            as {{ intent }}_evidence_zh,
        max(case when intent_evidence.intent = '{{ intent }}' then intent_evidence.evidence_en end)
            as {{ intent }}_evidence_en{% if not loop.last %},{% endif %}
        {%- endfor %}
    from signals
    left join intent_scores
        on signals.customer_id = intent_scores.customer_id
    left join intent_evidence
        on intent_scores.customer_id = intent_evidence.customer_id
        and intent_scores.intent = intent_evidence.intent
    group by signals.customer_id, signals.as_of_date
),

final as (
    select
        customer_id,
        as_of_date,
        {%- for intent in intents %}
        cast(coalesce({{ intent }}_score, 0) as {{ type_double() }}) as {{ intent }}_score,
        {{ intent }}_evidence,
        {{ intent }}_evidence_zh,
        {{ intent }}_evidence_en,
        {%- endfor %}
        case greatest({% for intent in intents %}coalesce({{ intent }}_score, 0){% if not loop.last %}, {% endif %}{% endfor %})
            {%- for intent in intents %}
            when coalesce({{ intent }}_score, 0) then '{{ intent }}'
            {%- endfor %}
        end as top_intent
    from pivoted
)

select * from final
