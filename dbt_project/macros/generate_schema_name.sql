{#- Custom schemas are used as-is (staging, intermediate, reference) and marts land in main,
    so analysts query `main.fct_reports` rather than `main_marts.fct_reports`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
