{#-
    One row per customer of customer_features and product family: the propensity to take a
    product of the family when offered, and its expected value.

    model: the family has a current propensity model (marketing_model.propensity_coefficients,
        fitted on past campaign responses with the signals as of each campaign's start):
        propensity = 1 / (1 + exp(-(intercept + sum(coefficient x (transform(signal) - mean)
        / scale)))), a missing signal counting as its mean.
    rules: no model (no campaign history for the family, or before the first training run):
        propensity = base_propensity + (max_propensity - base_propensity) x the score of the
        family's intent (seeds/marketing_propensity_rules.csv, customer_intents).

    expected_value_amount = propensity x family_value_amount, the average product_value_amount
    of the family's offerable products (seeds/marketing_offer_terms.csv), CNY.
-#}

{%- set coefficients_source = source('marketing_model', 'propensity_coefficients') -%}
{%- set has_models = execute and adapter.get_relation(
    database=coefficients_source.database,
    schema=coefficients_source.schema,
    identifier=coefficients_source.identifier,
) is not none -%}

with

signals as (
    select * from {{ ref('int_customers_signals_computed') }}
),

customer_intents as (
    select * from {{ ref('customer_intents') }}
),

propensity_rules as (
    select * from {{ ref('marketing_propensity_rules') }}
),

products as (
    select * from {{ ref('products') }}
),

offer_terms as (
    select * from {{ ref('marketing_offer_terms') }}
),

coefficients as (
    {%- if has_models %}
    select
        cast(model_id as {{ dbt.type_string() }}) as model_id,
        cast(product_family as {{ dbt.type_string() }}) as product_family,
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(transform as {{ dbt.type_string() }}) as transform,
        cast(mean as {{ type_double() }}) as mean,
        cast(scale as {{ type_double() }}) as scale,
        cast(coefficient as {{ type_double() }}) as coefficient
    from {{ coefficients_source }}
    {%- else %}
    {#- no model trained yet: an empty set with the same columns #}
    select
        cast(null as {{ dbt.type_string() }}) as model_id,
        cast(null as {{ dbt.type_string() }}) as product_family,
        cast(null as {{ dbt.type_string() }}) as feature,
        cast(null as {{ dbt.type_string() }}) as transform,
        cast(null as {{ type_double() }}) as mean,
        cast(null as {{ type_double() }}) as scale,
        cast(null as {{ type_double() }}) as coefficient
    where 1 = 0
    {%- endif %}
),

signal_values as (
    {%- for column in marketing_signal_columns() %}
    select customer_id, '{{ column }}' as feature, {{ column }} as signal_value from signals
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

intercepts as (
    select model_id, product_family, coefficient as intercept
    from coefficients
    where feature = '(intercept)'
),

linear_terms as (
    select
        signal_values.customer_id,
        coefficients.product_family,
        sum(coalesce(
            coefficients.coefficient
                * (case
                    when coefficients.transform = 'log1p' then ln(1 + greatest(signal_values.signal_value, 0))
                    else signal_values.signal_value
                end - coefficients.mean)
                / nullif(coefficients.scale, 0),
            0
        )) as linear_sum
    from signal_values
    inner join coefficients
        on signal_values.feature = coefficients.feature
    group by signal_values.customer_id, coefficients.product_family
),

model_propensities as (
    select
        linear_terms.customer_id,
        linear_terms.product_family,
        intercepts.model_id,
        -- rounded: the sum's last bits depend on the order rows arrive in
        round(1 / (1 + exp(-(intercepts.intercept + linear_terms.linear_sum))), 6) as propensity
    from linear_terms
    inner join intercepts
        on linear_terms.product_family = intercepts.product_family
),

family_values as (
    select
        products.product_family,
        avg(offer_terms.product_value_amount) as family_value_amount
    from products
    inner join offer_terms
        on products.product_code = offer_terms.product_code
    where offer_terms.is_offerable
    group by products.product_family
),

intent_scores as (
    {%- set intents = ['home_purchase', 'wealth', 'consumer_credit', 'business_financing', 'insurance'] %}
    {%- for intent in intents %}
    select customer_id, as_of_date, '{{ intent }}' as intent, {{ intent }}_score as intent_score
    from customer_intents
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

rule_propensities as (
    select
        intent_scores.customer_id,
        intent_scores.as_of_date,
        propensity_rules.product_family,
        propensity_rules.intent,
        intent_scores.intent_score,
        round(propensity_rules.base_propensity
            + (propensity_rules.max_propensity - propensity_rules.base_propensity) * intent_scores.intent_score, 6)
            as rule_propensity
    from intent_scores
    inner join propensity_rules
        on intent_scores.intent = propensity_rules.intent
),

final as (
    select
        rule_propensities.customer_id,
        rule_propensities.as_of_date,
        rule_propensities.product_family,
        rule_propensities.intent,
        cast(rule_propensities.intent_score as {{ type_double() }}) as intent_score,
        cast(coalesce(model_propensities.propensity, rule_propensities.rule_propensity) as {{ type_double() }})
            as propensity,
        case when model_propensities.model_id is not null then 'model' else 'rules' end as propensity_source,
        model_propensities.model_id,
        cast(rule_propensities.rule_propensity as {{ type_double() }}) as rule_propensity,
        cast(family_values.family_value_amount as decimal(18, 2)) as family_value_amount,
        cast(coalesce(model_propensities.propensity, rule_propensities.rule_propensity)
            * family_values.family_value_amount as decimal(18, 2)) as expected_value_amount
    from rule_propensities
    left join model_propensities
        on rule_propensities.customer_id = model_propensities.customer_id
        and rule_propensities.product_family = model_propensities.product_family
    left join family_values
        on rule_propensities.product_family = family_values.product_family
)

select * from final
