"""The runner's results are plain JSON: no NaN, no numpy scalars."""

import json

import numpy as np
import pandas as pd

from expectations.runner import _plain


def test_missing_values_become_null_so_summaries_are_valid_json():
    frame = pd.DataFrame({"name": ["a", None], "count": [1.0, np.nan]})
    plain = _plain(frame.to_dict(orient="records"))
    assert plain == [{"name": "a", "count": 1.0}, {"name": None, "count": None}]
    text = json.dumps(plain, allow_nan=False)  # raises on NaN
    assert "NaN" not in text
