"""Chat REPL, pure parts: slash-command parsing, filters, follow-up rewriting, transcript, and the
session's command handling driven with a scripted answerer (no models, no index)."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest

from assistant.chat.commands import (
    Command,
    CommandError,
    help_text,
    parse_command,
    parse_filter_items,
)
from assistant.chat.display import Output
from assistant.chat.filter_spec import FilterSpec, prompt_text
from assistant.chat.follow_ups import (
    carried_terms,
    clean_rewrite,
    condense_fallback,
    history_text,
    is_follow_up,
    key_terms,
)
from assistant.chat.repl import history_path
from assistant.chat.session import ChatSession
from assistant.chat.transcript import Turn, cited_numbers, transcript_markdown
from assistant.core.errors import InputError
from assistant.core.passage import ArticleRef, Passage
from assistant.llm import ChatModel

OUTLETS = ["The Verge", "Fortune", "Cnbc | World Business News Leader"]


# ---- parse_command ------------------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    pytest.param("What did India say?", None, id="question"),
    pytest.param("  and /open?", None, id="slash-later-is-a-question"),
    pytest.param("/help", Command("help"), id="help"),
    pytest.param("/HELP open", Command("help", "open"), id="help-topic-case"),
    pytest.param("/? /save", Command("help", "save"), id="help-alias-topic-with-slash"),
    pytest.param("/sources", Command("sources"), id="sources"),
    pytest.param("/source", Command("sources"), id="sources-alias"),
    pytest.param("/open 1", Command("open", "1", number=1), id="open"),
    pytest.param("/open   [3]  ", Command("open", "[3]", number=3), id="open-bracketed"),
    pytest.param("/brief EU defence pact", Command("brief", "EU defence pact"), id="brief"),
    pytest.param("/save notes/chat.md", Command("save", "notes/chat.md"), id="save"),
    pytest.param("/llm", Command("llm"), id="llm-show"),
    pytest.param("/llm gguf:/m/x.gguf", Command("llm", "gguf:/m/x.gguf"), id="llm-switch"),
    pytest.param("/clear", Command("clear"), id="clear"),
    pytest.param("/quit", Command("quit"), id="quit"),
    pytest.param("/exit", Command("quit"), id="exit-alias"),
    pytest.param("/q", Command("quit"), id="q-alias"),
    pytest.param("/filter", Command("filter"), id="filter-show"),
    pytest.param("/filter off", Command("filter", "off", filter_items=(("off", ""),)), id="filter-off"),
    pytest.param("/filter source=The Verge since=2023-10-01",
                 Command("filter", "source=The Verge since=2023-10-01",
                         filter_items=(("source", "The Verge"), ("since", "2023-10-01"))), id="filter-set"),
])
def test_parse_command(line: str, expected: Command | None) -> None:
    assert parse_command(line) == expected


@pytest.mark.parametrize("line, message", [
    pytest.param("/frobnicate", "unknown command /frobnicate (/help lists the commands)", id="unknown"),
    pytest.param("/sourcs", "unknown command /sourcs (did you mean /sources? /help lists the commands)", id="typo"),
    pytest.param("/", "unknown command / (/help lists the commands)", id="bare-slash"),
    pytest.param("/open", "/open needs a source number, e.g. /open 1 (usage: /open N)", id="open-missing"),
    pytest.param("/open one", "/open needs a source number, e.g. /open 1 (usage: /open N)", id="open-word"),
    pytest.param("/open -2", "/open needs a source number, e.g. /open 1 (usage: /open N)", id="open-negative"),
    pytest.param("/open 0", "sources are numbered from 1 (usage: /open N)", id="open-zero"),
    pytest.param("/save", "/save needs a file name (usage: /save FILE)", id="save-missing"),
    pytest.param("/brief", "/brief needs a topic (usage: /brief TOPIC)", id="brief-missing"),
    pytest.param("/quit now", "/quit takes no arguments (usage: /quit)", id="quit-args"),
    pytest.param("/sources 2", "/sources takes no arguments (usage: /sources)", id="sources-args"),
    pytest.param("/help nope", "no command /nope (/help lists the commands)", id="help-unknown-topic"),
    pytest.param("/filter The Verge", "cannot read 'The Verge' as a filter", id="filter-no-key"),
    pytest.param("/filter verge source=Fortune", "cannot read 'verge' as a filter", id="filter-junk-before"),
])
def test_bad_commands_get_a_one_line_hint(line: str, message: str) -> None:
    with pytest.raises(CommandError) as info:
        parse_command(line)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, InputError)


# ---- filters ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, items", [
    pytest.param("", (), id="empty"),
    pytest.param("OFF", (("off", ""),), id="off"),
    pytest.param("since=2023-10-01", (("since", "2023-10-01"),), id="since"),
    pytest.param("source=The Verge until=2023-10-31", (("source", "The Verge"), ("until", "2023-10-31")),
                 id="value-with-space"),
    pytest.param('source="Cnbc | World Business News Leader"', (("source", "Cnbc | World Business News Leader"),),
                 id="quoted"),
    pytest.param("source = Fortune, source=verge", (("source", "Fortune"), ("source", "verge")), id="repeat"),
    pytest.param("from=2023-01-01 to=2023-02-01 outlet=Fortune",
                 (("since", "2023-01-01"), ("until", "2023-02-01"), ("source", "Fortune")), id="aliases"),
    pytest.param("since=", (("since", ""),), id="remove-key"),
])
def test_parse_filter_items(text: str, items: tuple) -> None:
    assert parse_filter_items(text) == items


@pytest.mark.parametrize("start, items, expected", [
    pytest.param(FilterSpec(), (("since", "2023-10-01"),), FilterSpec(since="2023-10-01"), id="add"),
    pytest.param(FilterSpec(since="2023-10-01"), (("until", "2023-10-31"),),
                 FilterSpec("2023-10-01", "2023-10-31"), id="merge-keeps-other-keys"),
    pytest.param(FilterSpec("2023-10-01", sources=("Fortune",)), (("since", ""),),
                 FilterSpec(sources=("Fortune",)), id="empty-value-removes"),
    pytest.param(FilterSpec(sources=("Fortune",)), (("source", "The Verge"), ("source", "CNBC")),
                 FilterSpec(sources=("The Verge", "CNBC")), id="sources-replace-together"),
    pytest.param(FilterSpec("a", "b", ("c",)), (("off", ""),), FilterSpec(), id="off"),
])
def test_filter_spec_updated(start: FilterSpec, items: tuple, expected: FilterSpec) -> None:
    assert start.updated(items) == expected


def test_prompt_shows_the_active_filter() -> None:
    assert prompt_text(FilterSpec()) == "> "
    spec = FilterSpec(since="2023-10-01", sources=("The Verge",))
    assert prompt_text(spec) == "[source=The Verge since=2023-10-01] > "
    assert prompt_text(FilterSpec(until="2023-10-31")) == "[until=2023-10-31] > "


def test_help_lists_every_command() -> None:
    text = help_text()
    for name in ("help", "sources", "open", "brief", "filter", "clear", "save", "llm", "quit"):
        assert f"/{name}" in text
    assert help_text("open").startswith("/open N")


def test_history_path_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_CHAT_HISTORY", str(tmp_path / "h"))
    assert history_path() == tmp_path / "h"
    monkeypatch.delenv("ASSISTANT_CHAT_HISTORY")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert history_path() == tmp_path / "news-assistant" / "chat_history"


# ---- follow-ups ---------------------------------------------------------------------------------

@pytest.mark.parametrize("question, expected", [
    pytest.param("and what did India say?", True, id="leading-and"),
    pytest.param("But why?", True, id="leading-but"),
    pytest.param("what about Japan?", True, id="what-about"),
    pytest.param("Why?", True, id="bare-why"),
    pytest.param("tell me more", True, id="tell-me-more"),
    pytest.param("When was it announced?", True, id="pronoun-it"),
    pytest.param("What did they agree on?", True, id="pronoun-they"),
    pytest.param("How did the jury react to his testimony?", True, id="pronoun-his"),
    pytest.param("Who reported on that?", True, id="about-that"),
    pytest.param("What is the EU exploring with India?", False, id="standalone"),
    pytest.param("Did Apple say that there was no valid alternative?", False, id="that-conjunction"),
    pytest.param("Who is Andrius Kubilius?", False, id="names-only"),
    pytest.param("Why did the jury hear from Sam Bankman-Fried and what did he say?", False,
                 id="pronoun-after-own-name"),
    pytest.param("What did he tell the EU?", True, id="pronoun-before-name"),
    pytest.param("", False, id="empty"),
])
def test_is_follow_up(question: str, expected: bool) -> None:
    assert is_follow_up(question) is expected


def test_key_terms_keep_names_whole_and_drop_question_words() -> None:
    assert key_terms("What did The Verge report about Sam Bankman-Fried in October 2023?") == [
        "Verge", "Sam Bankman-Fried", "October", "2023"]
    assert key_terms("What is the EU exploring with India?") == ["EU", "exploring", "India"]


@pytest.mark.parametrize("previous, question, expected", [
    pytest.param("What is the EU exploring with India?", "and what did Modi say?",
                 "What did Modi say, regarding EU exploring India?", id="carries-entities"),
    pytest.param("What is the EU exploring with India?", "and what did India say?",
                 "What did India say, regarding EU exploring?", id="skips-terms-already-asked"),
    pytest.param("What is the EU exploring with India?", "Why?", "Why, regarding EU exploring India?", id="bare-why"),
    pytest.param("What did The Verge report about Sam Bankman-Fried?", "and what did Fortune say?",
                 "What did Fortune say, regarding Sam Bankman-Fried?", id="new-outlet-replaces-old"),
    pytest.param("What did The Verge report about Sam Bankman-Fried?", "what did the jury hear from him?",
                 "What did the jury hear from Sam Bankman-Fried, regarding Verge?", id="keeps-outlet"),
    pytest.param("What is the EU exploring with India?", "Who is Andrius Kubilius?",
                 "Who is Andrius Kubilius?", id="standalone-unchanged"),
    pytest.param(None, "and what did India say?", "and what did India say?", id="no-history"),
    pytest.param("What did Modi say, regarding EU exploring India?", "why?",
                 "Why, regarding Modi EU exploring India?", id="chained-rewrite-does-not-nest"),
    pytest.param("What is the EU exploring with India?", "and  the   EU  India   exploring?",
                 "The EU India exploring?", id="nothing-to-carry-loses-its-leading-and"),
])
def test_condense_fallback(previous: str | None, question: str, expected: str) -> None:
    assert condense_fallback(previous, question, OUTLETS) == expected


@pytest.mark.parametrize("previous, answer, question, expected", [
    pytest.param("What did the EU offer India on defence, and who said it?",
                 "The EU is exploring a security pact with India [1]. It was announced by European Commission "
                 "president Ursula von der Leyen ahead of talks with Narendra Modi [1].",
                 "What did she offer?", "What did Ursula von der Leyen offer, regarding EU India defence?",
                 id="pronoun-is-the-answers-first-person"),
    pytest.param("Who is Kubilius?", "Kubilius is visiting India [1].", "And what was his role?",
                 "What was Kubilius's role?", id="possessive-from-the-question-when-the-answer-has-no-person"),
    pytest.param("Who leads the EU Commission?", "Ursula von der Leyen leads it [1].", "What did they discuss?",
                 "What did they discuss, regarding leads EU Commission?", id="plural-pronoun-left"),
    pytest.param("Who met Modi?", "Ursula von der Leyen met Modi [1].", "What did Modi tell her?",
                 "What did Modi tell her?", id="own-name-first-is-not-a-follow-up"),
])
def test_condense_fallback_resolves_a_person(previous: str, answer: str, question: str, expected: str) -> None:
    assert condense_fallback(previous, question, OUTLETS, answer) == expected


def test_carried_terms_are_capped() -> None:
    previous = "Did Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa agree?"
    assert len(carried_terms(previous, "why?")) <= 8


PREV = "What is the EU exploring with India?"


@pytest.mark.parametrize("raw, expected", [
    pytest.param("What did Modi say about the EU defence pact with India?",
                 "What did Modi say about the EU defence pact with India?", id="good"),
    pytest.param("Standalone question: What did Modi say about the EU pact?\nExtra line",
                 "What did Modi say about the EU pact?", id="prefix-and-extra-lines"),
    pytest.param('"What did Modi say about India and the EU"', "What did Modi say about India and the EU?",
                 id="quoted-no-mark"),
    pytest.param("Modi said the EU pact is important [1].", None, id="an-answer-not-a-question"),
    pytest.param("What did Modi say?", None, id="no-context-carried"),
    pytest.param("What did the EU say about India?", None, id="drops-the-users-name"),
    pytest.param("", None, id="empty"),
    pytest.param("Why EU?", None, id="too-short"),
    pytest.param("What " + "EU " * 150 + "Modi?", None, id="too-long"),
])
def test_clean_rewrite(raw: str, expected: str | None) -> None:
    assert clean_rewrite(raw, "and what did Modi say?", PREV, OUTLETS) == expected


# ---- answers, transcript ------------------------------------------------------------------------
# Minimal objects with the Answer contract's fields (assistant.answer.Answer has the same shape).

@dataclass
class Verdict:
    text: str
    citations: list[int]
    supported: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class FakeAnswer:
    question: str
    answer: str
    abstained: bool
    sentences: list[Verdict]
    sources: list[Passage]
    llm: str = "none"
    prompt_version: str = "test"


def _passage(n: int, title: str = "EU explores security and defence pact with India", source: str = "The Hindu",
             url: str = "https://example.com/eu-india") -> Passage:
    return Passage(f"c{n}", f"Passage {n} text about the [EU] pact.", ArticleRef(f"a{n}", title, source,
                                                                               "2025-02-28", url))


def _answer(question: str = PREV) -> FakeAnswer:
    sources = [_passage(1), _passage(2, title="Another [bracketed] title", url=""), _passage(3)]
    sentences = [Verdict("The EU is exploring a pact.", [2], True), Verdict("Modi agreed.", [3], False, ["no support"]),
                 Verdict("Talks followed.", [2, 1], True)]
    return FakeAnswer(question, "The EU is exploring a pact [2]. Talks followed [2][1].", False, sentences, sources)


def test_cited_numbers_follow_first_use_and_skip_unsupported_sources_numbers() -> None:
    assert cited_numbers(_answer()) == [2, 3, 1]  # verdict order; n=3 cited by a dropped sentence still counts
    bare = FakeAnswer("q", "Only text [3] and [9].", False, [], [_passage(1), _passage(2), _passage(3)])
    assert cited_numbers(bare) == [3]


def test_transcript_markdown() -> None:
    turns = [
        Turn("What is the EU exploring with India?", standalone="What is the EU exploring with India?",
             answer=_answer(), first_token_s=0.4),
        Turn("and what did Modi say?", standalone="What did Modi say, regarding EU exploring India?",
             answer=FakeAnswer("q", "I can't answer that from the indexed articles.", True, [], []),
             filters="source=The Hindu"),
        Turn("EU India", kind="brief", markdown="# Briefing: EU India\n\nA note [1].\n"),
        Turn("why?", note="cancelled"),
    ]
    md = transcript_markdown(turns, llm="none (extractive)", saved_at=datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc))
    assert md.startswith("# Chat transcript\n\n- saved: 2025-03-01 09:30 UTC\n- model: none (extractive)\n")
    assert "## 1. What is the EU exploring with India?\n\nThe EU is exploring a pact [2]. Talks followed [2][1]." in md
    assert "*1 draft sentence(s) failed verification and are not shown above.*" in md
    assert "2. Another \\[bracketed\\] title — The Hindu, 2025-02-28\n   > Passage 2 text" in md
    assert "1. [EU explores security and defence pact with India](https://example.com/eu-india) — The Hindu" in md
    assert "## 2. and what did Modi say?\n\n*Searched as:* What did Modi say, regarding EU exploring India?" in md
    assert "*Filter:* source=The Hindu" in md
    assert "*(abstained: the sources do not support an answer)*" in md
    assert "## 3. Briefing: EU India\n\n### Briefing: EU India\n\nA note [1]." in md
    assert "## 4. why?\n\n*(cancelled)*" in md
    assert "*Searched as:*" not in md.split("## 2.")[0]  # same as typed: not repeated


def test_history_text_shortens_answers_and_drops_markers() -> None:
    long = FakeAnswer("q", "Word " * 100 + "[1].", False, [], [])
    turns = [Turn(f"q{i}", standalone=f"standalone {i}", answer=long) for i in range(5)]
    text = history_text(turns, max_turns=2, answer_chars=40)
    assert text.splitlines()[0] == "User: standalone 3"
    assert "[1]" not in text and text.count("User:") == 2 and text.splitlines()[1].endswith("…")


# ---- the session with scripted parts --------------------------------------------------------------

class FakeStore:
    def get_article(self, article_id: str):
        return ({"title": "Full title", "source": "The Hindu", "published_at": "2025-02-28", "url": "https://x"},
                f"Body of {article_id}.\n\nSecond paragraph.")


class FakeRetriever:
    sources = ["The Hindu", "The Verge"]
    store = FakeStore()

    def changed(self) -> bool:
        return False

    def filters(self, since, until, sources):
        from assistant.retrieve.filters import Filters
        from assistant.retrieve.outlets import outlets_of

        if since == "bad":
            raise InputError("bad date 'bad'")
        return Filters(sources=outlets_of(self.sources).resolve(sources) if sources else [])


class ScriptedAnswerer:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def ask(self, question, filters=None, on_token=None, cancel=None):
        self.calls.append((question, filters))
        if on_token:
            for piece in ("The EU is exploring a pact [2]. ", "Modi agreed [3]. ", "Talks followed [2][1]."):
                on_token(piece)
        return _answer(question)


class ScriptedModel(ChatModel):
    def __init__(self, replies: list[str]) -> None:
        self.name, self.context_window, self.replies = "test:scripted", 1000, list(replies)
        self.calls: list[list[dict[str, str]]] = []

    def stream(self, messages, *, max_tokens: int, temperature: float, stop=None) -> Iterator[str]:
        self.calls.append(messages)
        yield from self.replies.pop(0)


def _session(llm=None) -> tuple[ChatSession, ScriptedAnswerer, io.StringIO]:
    buf = io.StringIO()
    answerer = ScriptedAnswerer()
    session = ChatSession(None, retriever=FakeRetriever(), llm=llm, answerer=answerer,  # type: ignore[arg-type]
                          out=Output(buf, color=False))
    return session, answerer, buf


def test_session_commands_and_errors_are_one_line(tmp_path: Path) -> None:
    session, answerer, buf = _session()
    assert session.handle("/sources") and "! no answer yet: ask a question first" in buf.getvalue()
    session.handle(PREV)
    out = buf.getvalue()
    assert "The EU is exploring a pact [2]." in out and "Modi agreed [3]." in out
    assert "── verified answer (1 unsupported sentence removed):" in out
    assert "  [2] Another [bracketed] title — The Hindu, 2025-02-28" in out
    session.handle("and what did Modi say?")
    assert answerer.calls[-1][0] == "What did Modi say, regarding EU exploring India?"
    assert "(searching: What did Modi say, regarding EU exploring India?)" in buf.getvalue()
    session.handle("/open 9")
    assert "! no source 9: the last answer has sources 1–3" in buf.getvalue()
    session.handle("/open 2")
    assert "Body of a2." in buf.getvalue() and "Second paragraph." in buf.getvalue()
    session.handle("/filter source=verge since=bad")
    assert "! bad date 'bad'" in buf.getvalue() and session.prompt == "> "
    session.handle("/filter source=verge")
    assert session.prompt == "[source=The Verge] > "
    session.handle("/filter source=Nowhere Times")
    assert "! no outlet called 'Nowhere Times'" in buf.getvalue() and session.prompt == "[source=The Verge] > "
    session.handle("why?")
    assert answerer.calls[-1][1].sources == ["The Verge"]
    session.handle(f"/save {tmp_path / 'chat.md'}")
    assert f"saved 3 turns to {tmp_path / 'chat.md'}" in buf.getvalue()
    assert (tmp_path / "chat.md").read_text().count("## ") == 3
    session.handle(f"/save {tmp_path / 'missing' / 'chat.md'}")
    assert "! cannot write" in buf.getvalue()
    session.handle("/llm bogus")
    assert "! unknown model spec 'bogus'" in buf.getvalue()
    session.handle("/clear")
    assert session.turns == [] and "filter kept: source=The Verge" in buf.getvalue()
    session.handle("/filter off")
    assert session.prompt == "> "
    assert session.handle("/quit") is False
    assert "Traceback" not in buf.getvalue()


def test_session_uses_the_models_rewrite_when_it_is_good_and_falls_back_when_not() -> None:
    model = ScriptedModel(["What did Modi say about the EU pact with India?", "Modi said yes."])
    session, answerer, buf = _session(llm=model)
    session.turns.append(Turn(PREV, standalone=PREV, answer=_answer()))
    session.handle("and what did Modi say?")
    assert answerer.calls[-1][0] == "What did Modi say about the EU pact with India?"
    assert "User: What is the EU exploring with India?" in model.calls[0][-1]["content"]
    session.handle("and what did Modi say?")  # model answers instead of rewriting: deterministic fallback
    assert answerer.calls[-1][0] == "What did Modi say, regarding EU pact India?"
    session.handle("What did The Verge report?")  # not a follow-up: no model call
    assert len(model.calls) == 2 and answerer.calls[-1][0] == "What did The Verge report?"


def test_ctrl_c_sets_the_cancel_event_and_returns_to_the_prompt() -> None:
    import os
    import signal

    session, _, buf = _session()
    seen = threading.Event()

    def slow(cancel: threading.Event) -> str:
        time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C while the main thread waits
        cancel.wait(5)
        seen.set()
        return "late"

    from assistant.chat.worker import Cancelled

    with pytest.raises(Cancelled):
        session.worker.run(slow)
    assert seen.is_set() and "(cancelled)" in buf.getvalue()


def test_brief_runs_with_the_session_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.brief.writer
    from assistant.brief.model import Brief

    session, _, buf = _session()
    brief = Brief(topic="EU India", title="Briefing: EU India", date_range=(None, None), sections=[], articles=[])
    calls = []
    monkeypatch.setattr(assistant.brief.writer, "write_brief",
                        lambda topic, settings, **kw: calls.append((topic, kw["filters"], kw["retriever"])) or brief)
    session.handle("/brief EU India")
    assert calls == [("EU India", None, session.retriever)] and "# Briefing: EU India" in buf.getvalue()
    assert session.turns[-1].kind == "brief"


def test_status_line_is_erased_on_a_colour_terminal_and_absent_otherwise() -> None:
    for color in (True, False):
        buf = io.StringIO()
        session = ChatSession(None, retriever=FakeRetriever(), llm=None,  # type: ignore[arg-type]
                              answerer=ScriptedAnswerer(), out=Output(buf, color=color))
        session.handle(PREV)
        text = buf.getvalue()
        assert ("searching and checking sources…" in text) is color
        assert ("\r\x1b[K" in text) is color
        assert text.index("The EU is exploring") > text.rfind("\r\x1b[K")
