"""Briefing notes: extractive end to end over a real index, the map/reduce core with a scripted model
(invented lines and quotes are dropped, a failing article is reported, not fatal), JSON and Markdown."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, make_settings

from assistant.brief.model import PROSE_SECTIONS, SECTIONS, Brief, BriefArticle
from assistant.brief.render import brief_to_json, brief_to_markdown
from assistant.brief.writer import brief_articles, write_brief
from assistant.core.errors import InputError, ModelError
from assistant.core.passage import ArticleRef, Passage
from assistant.llm.base import ChatModel

pytestmark = pytest.mark.slow

SBF = "Sam Bankman-Fried FTX fraud trial"
EU_TEXT = [
    "The European Union is exploring a security and defence pact with India, in line with its partnerships with "
    "Japan and South Korea. The announcement was made by European Commission president Ursula von der Leyen in "
    "New Delhi on 28 February 2025 ahead of talks with Prime Minister Narendra Modi. \"This is why I can announce "
    "that we are exploring a future Security and Defence Partnership with India,\" von der Leyen said.",
    "Von der Leyen said India is working hard to diversify its military supply and to access new capabilities. "
    "Both sides plan to conclude a free trade agreement by the end of 2025. Officials said talks will continue "
    "in Brussels next month.",
]


class ScriptedChat(ChatModel):
    """A chat model that replies from a queue (an Exception in the queue is raised) and records prompts."""

    name = "fake:scripted"
    context_window = 2048

    def __init__(self, replies: list) -> None:
        self.replies = list(replies)
        self.sent: list[list[dict[str, str]]] = []

    def stream(self, messages, *, max_tokens, temperature, stop=None) -> Iterator[str]:
        self.sent.append(messages)
        reply = self.replies.pop(0) if self.replies else "Nothing relevant."
        if isinstance(reply, BaseException):
            raise reply
        yield reply


def _articles() -> list[BriefArticle]:
    out = []
    for i, text in enumerate(EU_TEXT):
        aid = f"eu{i}"
        ref = ArticleRef(aid, f"EU and India, part {i + 1}", ["Times of India", "Reuters"][i], "2025-02-28", f"https://example.com/{aid}")
        out.append(BriefArticle(aid, ref.title, ref.source, ref.published_at, ref.url, [Passage(f"{aid}-0000", text, ref)]))
    return out


@pytest.fixture(scope="module")
def settings(built_index):
    return make_settings(built_index, **{"llm.spec": "none"})


@pytest.fixture(scope="module")
def extractive(settings, embedder) -> Brief:
    from assistant.retrieve.retriever import Retriever

    return write_brief(SBF, settings, retriever=Retriever(settings, embedder=embedder), llm=None, progress=False)


def test_extractive_brief_has_every_section_and_verified_citations(extractive: Brief) -> None:
    assert [s.key for s in extractive.sections] == [k for k, _ in SECTIONS]
    assert {a.source for a in extractive.articles} == {"The Verge", "Fortune"}
    assert all("Apple" not in a.title for a in extractive.articles), "an off-topic article was selected"
    bottom = extractive.section("bottom_line").bullets
    assert 2 <= len(bottom) <= 3
    assert extractive.section("key_developments").bullets
    assert extractive.section("quotes").bullets and extractive.section("timeline").bullets
    for bullet in extractive.bullets():
        for part in bullet.all_parts():
            assert part.supported and part.citations
            assert all(1 <= n <= len(extractive.passages) for n in part.citations)
            assert all(p.text for p in part.passages)
    assert extractive.stats["verified_bullets"] == extractive.stats["bullets"]


def test_extractive_note_has_no_repeats_and_spans_outlets(extractive: Brief) -> None:
    texts = [b.text for b in extractive.bullets()]
    assert len(texts) == len(set(texts))
    prose = [b for key in PROSE_SECTIONS for b in extractive.section(key).bullets]
    assert len({b.passages[0].article.source for b in prose}) == 2


def test_quotes_are_verbatim_and_attributed(extractive: Brief) -> None:
    for bullet in extractive.section("quotes").bullets:
        speaker, _, quote = bullet.text.partition(": “")
        assert speaker and quote.endswith("”")
        squash = lambda t: " ".join(t.replace("’", "'").replace("“", '"').replace("”", '"').split())  # noqa: E731
        assert squash(quote[:-1]) in squash(bullet.passages[0].text)


def test_timeline_is_in_date_order(extractive: Brief) -> None:
    labels = [b.label[:10] for b in extractive.section("timeline").bullets]
    iso = [label for label in labels if re.fullmatch(r"\d{4}-\d{2}-\d{2}", label)]
    assert iso == sorted(iso)


def test_json_structure(extractive: Brief) -> None:
    data = json.loads(json.dumps(brief_to_json(extractive)))
    assert data["topic"] == SBF and data["date_range"]["from"] <= data["date_range"]["to"]
    assert [s["key"] for s in data["sections"]] == [k for k, _ in SECTIONS]
    numbers = {p["n"] for p in data["passages"]}
    for section in data["sections"]:
        for bullet in section["bullets"]:
            assert set(bullet) >= {"text", "citations", "supported", "verdict", "label", "origin"}
            assert bullet["verdict"]["supported"] is True and set(bullet["citations"]) <= numbers
    cited = {n for s in data["sources"] for n in s["passages"]}
    assert cited == numbers
    assert all({"title", "source", "published_at", "url"} <= set(s) for s in data["sources"])


def test_markdown_output(extractive: Brief) -> None:
    md = brief_to_markdown(extractive)
    assert md.startswith(f"# Briefing: {SBF}")
    for _, title in SECTIONS:
        assert f"## {title}" in md
    assert "## Sources" in md and "https://www.theverge.com/" in md
    assert re.search(r"\[\d+\]", md)


def test_filters_and_no_match(settings, embedder) -> None:
    from assistant.retrieve.retriever import Retriever

    retriever = Retriever(settings, embedder=embedder)
    brief = write_brief(SBF, settings, retriever=retriever, llm=None, sources=["Fortune"], progress=False)
    assert {a.source for a in brief.articles} == {"Fortune"}
    with pytest.raises(InputError):
        write_brief("volcanic eruptions in Iceland", settings, retriever=retriever, llm=None, progress=False)


def test_invented_line_and_quote_are_dropped_failing_article_is_reported(embedder, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "unused")
    model = ScriptedChat([
        # map, article 1: one true note, one invented number, one invented quote
        "The European Union is exploring a security and defence pact with India [1].\n"
        "The EU will send 5,000 troops to India [1].\n"
        "Von der Leyen said \"we will build a moon base together\" [1].",
        # map, article 2: the model fails
        ModelError("model crashed"),
        # reduce: the bottom line, one true sentence and one invented
        "The EU is exploring a security and defence pact with India [1]. "
        "Narendra Modi rejected the pact outright [1].",
    ])
    brief = brief_articles(_articles(), settings, topic="EU India defence pact", llm=model, embedder=embedder,
                           progress=False)
    assert len(model.sent) == 3
    assert "EU India defence pact" in model.sent[0][-1]["content"]
    texts = " ".join(b.text for b in brief.bullets())
    assert "5,000" not in texts and "moon base" not in texts and "rejected the pact" not in texts
    dropped = {d["text"]: d["reasons"] for d in brief.dropped}
    assert any("5,000" in t for t in dropped) and any("moon base" in t for t in dropped)
    assert any("rejected" in t for t in dropped)
    assert [p["article_id"] for p in brief.problems] == ["eu1"]
    assert "model crashed" in brief.problems[0]["reason"]
    llm_lines = [b for b in brief.bullets() if b.origin == "llm"]
    assert llm_lines and all(b.supported for b in llm_lines)
    assert brief.section("bottom_line").bullets and brief.section("key_developments").bullets
    data = brief_to_json(brief)
    assert data["llm"] == "fake:scripted" and set(data["prompt_versions"]) == {"brief_notes", "brief_section"}


def test_map_prompt_respects_the_token_budget(embedder, tmp_path: Path) -> None:
    from assistant.llm.base import tiktoken_encoding

    long_text = " ".join(f"Sentence number {i} says the EU and India discussed defence item {i}." for i in range(400))
    ref = ArticleRef("big", "Long", "Wire", "2025-02-28", "")
    passages = [Passage(f"big-{j:04d}", long_text[j * 2000:(j + 1) * 2000], ref, position=j) for j in range(10)]
    settings = make_settings(tmp_path / "unused", **{"llm.context_window": 1024})
    model = ScriptedChat([])
    brief_articles([BriefArticle("big", "Long", "Wire", "2025-02-28", "", passages)], settings, topic="EU India",
                   llm=model, embedder=embedder, progress=False)
    enc = tiktoken_encoding(model.name)
    for messages in model.sent:
        assert sum(len(enc.encode(m["content"])) for m in messages) < 1024 - 200


def test_cli_brief_writes_md_html_json(built_index: Path, tmp_path: Path) -> None:
    outs = [tmp_path / "b.md", tmp_path / "b.html", tmp_path / "b.json"]
    cmd = [sys.executable, "-m", "assistant", "brief", SBF, "--index", str(built_index), "--llm", "none",
           "--articles", "3", "--no-progress"]
    for out in outs:
        cmd += ["-o", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert outs[0].read_text().startswith("# Briefing:")
    assert outs[1].read_text().startswith("<!DOCTYPE html>")
    assert json.loads(outs[2].read_text())["sections"]
    bad = subprocess.run([sys.executable, "-m", "assistant", "brief", SBF, "--index", str(built_index), "--llm", "none",
                          "--since", "2030-01-01"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and bad.stderr.startswith("assistant: error:") and len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("text, whole", [
    ("‘Our new board of directors have been fantastic.", False),   # quote opened, cut by the splitter
    ("We are ready to pay on April 9.'", False),                   # quote closed, never opened
    ('He said "we will pay.', False),
    ("'Hillary Clinton has gotten so much over the years,' Julia explained.", True),
    ("The club's fans said it was 'brilliant'.", True),
    ("It was the players' night.", True),
    ("‘We will win,’ he said.", True),
])
def test_quote_fragments_are_not_prose(text: str, whole: bool) -> None:
    from assistant.brief.lines import balanced

    assert balanced(text) is whole


def test_model_line_that_is_only_talk_about_the_text_is_not_a_sentence() -> None:
    from assistant.brief.lines import drop_meta, well_formed

    line = drop_meta("The main news in these passages is about the hairstyle of the actress Julia Louis-Dreyfus.")
    assert line.startswith("About")
    assert not well_formed(line, True, min_words=6)
    assert well_formed(drop_meta("The article says that the council approved the budget on Monday."), True, min_words=6)


def test_model_bottom_line_competes_by_the_place_of_the_sentence_it_restates(embedder, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "unused")
    model = ScriptedChat([
        "Nothing relevant.",  # map: no notes, so the reduce step is given the best sentences
        # reduce: a faithful restatement of the article's second sentence, not of its lead
        "The announcement was made by European Commission president Ursula von der Leyen in New Delhi "
        "ahead of talks with Prime Minister Narendra Modi [1].",
    ])
    brief = brief_articles(_articles()[:1], settings, topic="EU India defence pact", llm=model, embedder=embedder,
                           progress=False)
    assert brief.stats["llm_lines_kept"] == 1
    bottom = [b.text for b in brief.section("bottom_line").bullets]
    assert bottom[0].startswith("The European Union is exploring a security and defence pact with India")
    assert sum("announcement was made" in text for text in bottom) <= 1  # the restatement or its source, not both


def test_brief_settings_are_listed_and_read(embedder, tmp_path: Path) -> None:
    from assistant.core.settings import describe

    listing = describe(make_settings(tmp_path / "unused"))
    assert "\n[brief]\n" in listing and "\nllm_bonus = -0.1  # " in listing and "\nmax_quotes = 3  # " in listing
    roomy = brief_articles(_articles(), make_settings(tmp_path / "unused"), topic="EU India defence pact", llm=None,
                           embedder=embedder, progress=False)
    assert len(roomy.section("key_developments").bullets) > 1
    short = brief_articles(_articles(), make_settings(tmp_path / "unused", **{"brief.words": 30}),
                           topic="EU India defence pact", llm=None, embedder=embedder, progress=False)
    assert len(short.prose().split()) < len(roomy.prose().split())
    capped = brief_articles(_articles(), make_settings(tmp_path / "unused", **{"brief.max_developments": 1,
                                                                               "brief.max_timeline": 0}),
                            topic="EU India defence pact", llm=None, embedder=embedder, progress=False)
    assert len(capped.section("key_developments").bullets) == 1 and not capped.section("timeline").bullets
