{#-
    DuckDB threads for this dbt run: BANKPROFILE_DUCKDB_THREADS, default 1 (each dbt step of
    the build sets its own: orchestration/assets/dbt.py). An on-run-start hook sets them, not
    profiles.yml: dbt parses the whole project again when the profile changes, and with the
    threads in the profile the two steps of a build could not start from each other's parse
    (a full parse took 16-18 s here, against 7-8 s from the last one). DuckDB keeps the
    setting for every connection of the run. Other warehouses size their compute elsewhere.
-#}
{% macro set_duckdb_threads() -%}
    {%- if target.type == 'duckdb' -%}
        set threads = {{ env_var('BANKPROFILE_DUCKDB_THREADS', '1') | int }}
    {%- endif -%}
{%- endmacro %}
