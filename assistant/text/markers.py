"""Citation/footnote markers as they appear in text ([1], [1, 3], [Passage 2])."""

from __future__ import annotations

import re

# Citation/footnote markers such as [1], [1, 3], [1-3], [Passage 2]. After a full stop they still belong to
# the sentence before ("... end. [2] Next ..."), so the sentence splitter needs to know them.
_CITE_ITEM = r"(?:(?:passages?|sources?|refs?|docs?|articles?)\s*)?#?\d{1,3}"
CITATION_MARK = rf"\[\s*{_CITE_ITEM}(?:\s*(?:[,;&]|-|–|—|and|to)\s*{_CITE_ITEM})*\s*\]"
CITATION_RE = re.compile(CITATION_MARK, re.IGNORECASE)


# A run of markers with the spaces around it; after an end mark and before a repeat of it ("ends. [7] [2].")
# the repeat goes too.
_RUN = rf"[ \t]*(?:{CITATION_MARK}[ \t]*)+"
_SANDWICHED = re.compile(rf"(?P<end>[.!?]){_RUN}(?P=end)", re.IGNORECASE)
_MARK_RUN = re.compile(_RUN, re.IGNORECASE)


def strip_citation_marks(text: str) -> str:
    """``text`` without citation-like markers: in an answer or a brief, ``[n]`` means one of our sources, so a
    marker that came with an article's text ("fined 99 billion dollars. [7] [2].") would pass for one."""
    if "[" not in text:
        return text

    def gap(match: re.Match[str]) -> str:  # one space between words, none at a line's edge or before punctuation
        before, after = text[match.start() - 1:match.start()], text[match.end():match.end() + 1]
        return " " if before and after and not before.isspace() and not after.isspace() and after not in ".,;:!?)" else ""

    text = _SANDWICHED.sub(r"\g<end>", text)
    return _MARK_RUN.sub(gap, text)
