"""Themes: versioned rules (themes.yml) applied to the report sections (rules.py)."""
