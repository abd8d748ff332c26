"""Names of the deceased kept out of text shown without ``--with-names``.

The report's own words (a theme's evidence sentence, a search snippet) can name the person who
died. Analyst tools leave name-bearing columns out unless asked (``--with-names``); where a
sentence of the report is shown, every word of the deceased's recorded names (dim_deceased) is
replaced by ``[name]`` instead. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NAME_MASK = "[name]"
# Words of a deceased's name that are titles or too short to mask on their own.
NOT_NAME_WORDS = frozenset({"mr", "mrs", "ms", "miss", "dr", "master", "baby", "and", "the"})


def name_pattern(names: Iterable[str]) -> re.Pattern | None:
    """Whole words of the deceased's names, capitalised as written or in capitals (reports often
    write the surname in capitals: "Mr GEBRSSLASIE"), so "Fell" and "FELL" are masked in a name
    and "fell" in a sentence is not."""
    words = {
        spelling
        for name in names
        for word in re.findall(r"[A-Z][\w'’-]*", name or "")
        if len(word) > 1 and word.lower() not in NOT_NAME_WORDS
        for spelling in (word, word.upper())
    }
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b(?:['’]s\b)?")


def mask_names(text: str, names: Iterable[str]) -> str:
    pattern = name_pattern(names)
    return pattern.sub(NAME_MASK, text) if pattern and text else text
