"""Citation/footnote markers as they appear in text ([1], [1, 3], [Passage 2])."""

from __future__ import annotations

import re

# Citation/footnote markers such as [1], [1, 3], [1-3], [Passage 2]. After a full stop they still belong to
# the sentence before ("... end. [2] Next ..."), so the sentence splitter needs to know them.
_CITE_ITEM = r"(?:(?:passages?|sources?|refs?|docs?|articles?)\s*)?#?\d{1,3}"
CITATION_MARK = rf"\[\s*{_CITE_ITEM}(?:\s*(?:[,;&]|-|–|—|and|to)\s*{_CITE_ITEM})*\s*\]"
CITATION_RE = re.compile(CITATION_MARK, re.IGNORECASE)

