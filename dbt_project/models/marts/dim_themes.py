"""The themes of orchestration/themes/themes.yml: id, label, the definition the labellers judged
against, and the status measured on the held-out labelled sample (`make quality`): experimental
themes are shown marked wherever theme figures appear."""

import pandas as pd

from orchestration.themes.rules import load_rules


def model(dbt, session):
    dbt.config(materialized="table")
    rules = load_rules()
    frame = pd.DataFrame(
        {
            "theme_id": [t.theme_id for t in rules.themes],
            "label": [t.label for t in rules.themes],
            "description": [t.description for t in rules.themes],
            "status": [t.status for t in rules.themes],
            "theme_order": list(range(1, len(rules.themes) + 1)),
            "rules_version": [rules.version] * len(rules.themes),
        }
    )
    return session.from_df(frame).project(
        "cast(theme_id as varchar) as theme_id, cast(label as varchar) as label,"
        " cast(description as varchar) as description, cast(status as varchar) as status,"
        " cast(theme_order as integer) as theme_order,"
        " cast(rules_version as integer) as rules_version"
    )
