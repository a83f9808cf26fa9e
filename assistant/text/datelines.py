"""Datelines and agency credits at the start of a news sentence: "NEW DELHI: The EU…", "(CNN) -- The EU…",
"(CNN)The EU…", "WASHINGTON (Reuters) - The Fed…", "WASHINGTON − Pete Hegseth…", and the loader's own "date
2025-02-28" line. The place stamp or the credit is not part of the claim, so a briefing line and an answer
sentence go without it; the one pattern both use.
"""

from __future__ import annotations

import re

_DATELINE = re.compile(
    r"^(?:date\s+\d{4}-\d\d-\d\d\s+)?"  # the date line the text loader writes before an article's body
    r"(?:\([A-Z][\w.&'’ ]{1,40}\)\s*(?:(?:--|—|–|-)\s*)?(?=[A-Z\"'“‘])"  # "(CNN) -- ", "(CNN)The"
    r"|[A-Z][A-Z.'’ -]{2,40}(?:,\s*[A-Z][\w.]*)?"  # "NEW DELHI", "LONDON, England"
    r"(?:\s*\([\w .]{2,30}\)\s*(?::|--|—|–|−|-)|\s*(?::|--|—|–|−))\s+"
    r"|[A-Z][A-Z'’ ]{2,40}(?:,\s*[A-Z][\w.]*)?\s+-\s+)?")  # "WASHINGTON - ", "SYDNEY - "
"""An optional loader date line, then an agency credit in brackets or a place in capitals (with a state or
country and a credit: "LONDON, England (CNN) --") and its separator; − is U+2212. A plain hyphen separates
after a credit ("WASHINGTON (Reuters) -") or a place without abbreviations ("SYDNEY -"): "U.S. - China talks"
is no dateline."""


def strip_dateline(text: str, min_words: int) -> str:
    """``text`` without its dateline or agency credit when at least ``min_words`` words remain and they open
    on a capital or a quotation mark; ``text`` itself otherwise ("(2003) was a good year…" keeps its bracket)."""
    stripped = _DATELINE.sub("", text, count=1)
    opens = stripped[:1].isupper() or stripped[:1] in "\"'“‘"
    return stripped if stripped != text and len(stripped.split()) >= min_words and opens else text
