{#- Every non-null value is a code of `code_list` in seeds/code_values.csv. -#}
{% test known_code(model, column_name, code_list) %}

select {{ column_name }} as unknown_code
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (
        select code from {{ ref('code_values') }} where code_list = '{{ code_list }}'
    )

{% endtest %}
