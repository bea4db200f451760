{#- No two rows share the same values of `columns` (a composite key). -#}
{% test unique_combination(model, columns) %}

{{ repeated_keys(model, columns) }}

{% endtest %}
