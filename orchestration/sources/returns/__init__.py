"""returns: what organisations and coroner areas say they received or issued (FOI answers and
official statements), as files people send: read (``read``), validated (``validate``) and loaded
all or nothing per file (``load``), with the template (``templates.py``, ``templates/``) and the
real returns the project ships (``data/``).
"""

from orchestration.sources.spec import AS_OF_NONE, SourceSpec

# The dbt models built on the raw returns (staging, resolution, reconciliation mart).
DBT_SELECT = (
    "path:models/staging/returns",
    "path:models/intermediate/returns",
    "path:models/marts/audit/returns",
)

SOURCE = SourceSpec(
    slug="returns",
    description="FOI answers and official statements of reports received or issued, loaded from"
    " the bundled real returns and the returns inbox.",
    origin=None,
    raw_tables=("files", "rows", "report_lines", "requests"),
    dbt_source="returns",
    suites=("returns_reconciliation",),
    as_of_rule=AS_OF_NONE,
)
