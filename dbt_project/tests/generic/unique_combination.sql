{#-
    No two rows share the same values of `columns` (a composite key).

    Given `written_at` (the column a table stamps the rows a run writes with, `_built_at`),
    it counts the rows only of keys written since the test last passed: every such key's
    rows, old ones included (macros/rows_written.sql says why that is enough).
-#}
{% test unique_combination(model, columns, written_at=none) %}

{%- set key = columns | join(', ') %}
{%- set last_pass = last_pass_to_read_from(
    data_test_name('unique_combination', model.identifier, columns), model, written_at
) if written_at else none %}
{%- if last_pass %}

with keys_written as (
    select distinct {{ key }}
    from {{ model }}
    where {{ written_at }} > cast('{{ last_pass }}' as timestamp)
)

select {% for column in columns %}tested.{{ column }}, {% endfor %}count(*) as copies
from {{ model }} as tested
inner join keys_written
    on {% for column in columns %}tested.{{ column }} is not distinct from keys_written.{{ column }}{% if not loop.last %}
    and {% endif %}{% endfor %}
group by {% for column in columns %}tested.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
having count(*) > 1

{%- else %}

select {{ key }}, count(*) as copies
from {{ model }}
group by {{ key }}
having count(*) > 1

{%- endif %}

{% endtest %}
