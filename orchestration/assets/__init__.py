"""Dagster assets of the code location: collection (crawl, raw load), dbt, publication."""
