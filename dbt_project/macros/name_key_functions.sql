{#- The name keys as DuckDB macros stored in the warehouse, so that code outside dbt (the returns
    validation in orchestration/sources/returns/validate.py) computes a key by asking the
    warehouse, `select main.org_name_key_with_brackets(?)`, and never re-implements the rule. Each
    body is the expression the Jinja macro of the same name (text_cleaning.sql) renders for the
    models, so there is one rule, written once, and both sides always agree.

    - main.org_name_key(name_text): org_name_key(col) (bracketed text dropped)
    - main.org_name_key_with_brackets(name_text): org_name_key(col, strip_brackets=false)
    - main.coroner_area_key(name_text): coroner_area_key(col)

    Created by the on-run-start hook (dbt_project.yml), so every dbt build, run, seed or test
    refreshes them; `dbt run-operation create_name_key_functions` creates them alone. -#}

{% macro name_key_functions_sql() -%}
    create or replace macro main.org_name_key(name_text) as (
        {{ org_name_key('name_text') }}
    );
    create or replace macro main.org_name_key_with_brackets(name_text) as (
        {{ org_name_key('name_text', strip_brackets=false) }}
    );
    create or replace macro main.coroner_area_key(name_text) as (
        {{ coroner_area_key('name_text') }}
    );
{%- endmacro %}

{% macro create_name_key_functions() -%}
    {% do run_query(name_key_functions_sql()) %}
    {% do adapter.commit() %}
{%- endmacro %}
