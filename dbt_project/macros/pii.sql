{#-
    PII handling. Staging replaces every clear identifier with a keyed hash (for joins and
    matching across systems) and a masked value (for display). Nothing after staging sees
    the clear value. The key comes from var('pii_hash_key'), i.e. BANKPROFILE_PII_KEY.
-#}

{% macro keyed_hash(column) -%}
    {{ return(adapter.dispatch('keyed_hash', 'bankprofile')(column)) }}
{%- endmacro %}

{% macro default__keyed_hash(column) -%}
    case when {{ column }} is not null
        then {{ dbt.hash(dbt.concat(["'" ~ var('pii_hash_key') ~ "|'", column])) }}
    end
{%- endmacro %}

{% macro duckdb__keyed_hash(column) -%}
    case when {{ column }} is not null
        then sha256('{{ var("pii_hash_key") }}|' || {{ column }})
    end
{%- endmacro %}

{#- 张三丰 -> 张** -#}
{% macro mask_name(column) -%}
    case when {{ column }} is not null
        then {{ dbt.concat(["left(" ~ column ~ ", 1)", "repeat('*', greatest(length(" ~ column ~ ") - 1, 1))"]) }}
    end
{%- endmacro %}

{#- 13812341234 -> 138****1234 -#}
{% macro mask_phone(column) -%}
    case when {{ column }} is not null
        then {{ dbt.concat(["left(" ~ column ~ ", 3)", "'****'", "right(" ~ column ~ ", 4)"]) }}
    end
{%- endmacro %}

{#- 11010519491231002X -> 110***********002X -#}
{% macro mask_id_number(column) -%}
    case when {{ column }} is not null
        then {{ dbt.concat(["left(" ~ column ~ ", 3)", "repeat('*', 11)", "right(" ~ column ~ ", 4)"]) }}
    end
{%- endmacro %}

{#- zhang.san@example.cn -> z***@example.cn -#}
{% macro mask_email(column) -%}
    case when {{ column }} is not null
        then {{ dbt.concat(["left(" ~ column ~ ", 1)", "'***@'", dbt.split_part(column, "'@'", 2)]) }}
    end
{%- endmacro %}

{#- 北京市朝阳区建国路88号3单元 -> 北京市朝阳区**** (district kept, street hidden) -#}
{% macro mask_address(column) -%}
    case when {{ column }} is not null
        then {{ dbt.concat(["left(" ~ column ~ ", 6)", "'****'"]) }}
    end
{%- endmacro %}
