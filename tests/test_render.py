"""The one Markdown escaper and shortener every output uses (briefs, `assistant check`, chat transcripts)."""

from __future__ import annotations

import pytest

from assistant.core.render import md_literal, shorten


@pytest.mark.parametrize(("text", "expected"), [
    ("Fed *cuts* rates [1](http://x)", "Fed \\*cuts\\* rates \\[1\\](http://x)"),
    ("1. Not a list\nand <b>not</b> HTML & co\x07", "1\\. Not a list and \\<b\\>not\\</b\\> HTML \\& co"),
    ("- not a bullet", "\\- not a bullet"),
    ("the European Union (EU)", "the European Union (EU)"),
])
def test_article_text_is_literal_markdown_on_one_line(text: str, expected: str) -> None:
    assert md_literal(text) == expected


def test_text_is_shortened_at_a_word() -> None:
    assert shorten("The EU is  exploring\na security pact", 22) == "The EU is exploring a …"
    assert shorten("short", 22) == "short"


def test_a_saved_transcript_escapes_the_sources_it_quotes() -> None:
    from assistant.chat.transcript import _md_source
    from assistant.core.passage import ArticleRef, Passage

    ref = ArticleRef("a1", "EU [explores] *pact*", "Example News", "2025-02-28", "https://example.com/a")
    assert _md_source(1, Passage("c1", "text", ref)) == (
        "1. [EU \\[explores\\] \\*pact\\*](https://example.com/a) — Example News, 2025-02-28")
