"""The ``assistant chat`` REPL: multi-turn grounded chat over the index.

Pure parts first, each with table-driven tests (``tests/test_chat.py``):

* slash commands: ``parse_command`` turns a line into a ``Command`` or raises ``CommandError`` with a
  one-line hint; ``FilterSpec.updated`` applies ``/filter since=… until=… source=…``;
* follow-ups: ``is_follow_up``, ``condense_fallback`` (deterministic rewrite, used with ``--llm none``
  and whenever the model's rewrite is unusable) and ``clean_rewrite`` (checks the model's rewrite);
* the Markdown transcript ``/save`` writes (``transcript_markdown``).

Then ``ChatSession`` (state: models loaded once, filters, turns) and ``run_repl`` (prompt_toolkit line
editing with history across sessions when on a terminal; one question per line from a pipe). Every
answer comes from the same ``Answerer`` as ``assistant ask``, so verification and abstention are the same.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import AssistantError, InputError
from ..text.markers import CITATION_RE
from ..text.mentions import find_names
from ..text.words import STOPWORDS

if TYPE_CHECKING:
    from ..core.passage import Passage
    from ..core.settings import Settings
    from ..llm import ChatModel

HISTORY_ENV = "ASSISTANT_CHAT_HISTORY"
"""Environment variable naming the line-history file (tests point it into a temporary folder)."""


# ==== slash commands (pure) ==========================================================================

class CommandError(InputError):
    """A slash command that cannot be run as typed; ``str(err)`` is the one-line hint shown."""


@dataclass(frozen=True)
class CommandInfo:
    usage: str
    summary: str


COMMANDS: dict[str, CommandInfo] = {
    "help": CommandInfo("/help [COMMAND]", "list the commands, or explain one"),
    "sources": CommandInfo("/sources", "the last answer's passages in full"),
    "open": CommandInfo("/open N", "the whole article of source N of the last answer"),
    "brief": CommandInfo("/brief TOPIC", "a briefing note on TOPIC (uses the active filter)"),
    "filter": CommandInfo("/filter [since=DATE] [until=DATE] [source=NAME]... | /filter off",
                          "restrict retrieval (shown in the prompt); 'key=' removes one key"),
    "clear": CommandInfo("/clear", "forget the conversation so far (filters stay)"),
    "save": CommandInfo("/save FILE", "write the transcript as Markdown, with citations and sources"),
    "llm": CommandInfo("/llm [SPEC]", "show or switch the model: local, gguf:PATH, openai:MODEL, none"),
    "quit": CommandInfo("/quit", "leave (Ctrl-D also works)"),
}
ALIASES = {"exit": "quit", "q": "quit", "h": "help", "?": "help", "source": "sources"}
_NO_ARGS = ("sources", "clear", "quit")
FILTER_KEYS = ("since", "until", "source")
_FILTER_OFF = ("off", "clear", "none", "reset")
_FILTER_ITEM = re.compile(r"(?i)\b(since|until|source|sources|from|to|outlet)\s*=\s*")
_FILTER_KEY_ALIAS = {"sources": "source", "outlet": "source", "from": "since", "to": "until"}


@dataclass(frozen=True)
class Command:
    """A parsed slash command: its canonical ``name``, the raw argument text, and parsed parts."""

    name: str
    arg: str = ""
    number: int | None = None  # /open N
    filter_items: tuple[tuple[str, str], ...] = ()  # /filter: (key, value) in order; value "" removes


def parse_command(line: str) -> Command | None:
    """``None`` for a question; a ``Command`` for ``/name args``; ``CommandError`` with a hint otherwise."""
    text = line.strip()
    if not text.startswith("/"):
        return None
    word, _, arg = text[1:].partition(" ")
    arg = arg.strip()
    key = word.lower()
    name = ALIASES.get(key, key)
    if name not in COMMANDS:
        guess = difflib.get_close_matches(key, list(COMMANDS) + list(ALIASES), n=1, cutoff=0.6)
        hint = f"did you mean /{ALIASES.get(guess[0], guess[0])}? " if guess else ""
        shown = f"/{word}" if word else "/"
        raise CommandError(f"unknown command {shown} ({hint}/help lists the commands)")
    usage = f"usage: {COMMANDS[name].usage}"
    if name in _NO_ARGS and arg:
        raise CommandError(f"/{name} takes no arguments ({usage})")
    if name == "open":
        if not re.fullmatch(r"\[?\d{1,3}\]?", arg):
            raise CommandError(f"/open needs a source number, e.g. /open 1 ({usage})")
        number = int(arg.strip("[]"))
        if number < 1:
            raise CommandError(f"sources are numbered from 1 ({usage})")
        return Command(name, arg, number=number)
    if name in ("brief", "save") and not arg:
        what = "a topic" if name == "brief" else "a file name"
        raise CommandError(f"/{name} needs {what} ({usage})")
    if name == "help" and arg:
        topic = ALIASES.get(arg.lstrip("/").lower(), arg.lstrip("/").lower())
        if topic not in COMMANDS:
            raise CommandError(f"no command /{arg.lstrip('/')} (/help lists the commands)")
        return Command(name, topic)
    if name == "filter":
        return Command(name, arg, filter_items=parse_filter_items(arg))
    return Command(name, arg)


def parse_filter_items(text: str) -> tuple[tuple[str, str], ...]:
    """``since=2023-10-01 source=The Verge`` -> ``(("since", "2023-10-01"), ("source", "The Verge"))``.

    Values run to the next ``key=`` so outlet names may contain spaces; quotes around a value are
    dropped. ``off`` means "remove everything" and is returned as ``(("off", ""),)``.
    """
    text = text.strip()
    if not text:
        return ()
    if text.lower() in _FILTER_OFF:
        return (("off", ""),)
    matches = list(_FILTER_ITEM.finditer(text))
    if not matches or text[: matches[0].start()].strip():
        lead = text[: matches[0].start()].strip() if matches else text
        raise CommandError(f"cannot read '{lead}' as a filter (usage: {COMMANDS['filter'].usage})")
    items: list[tuple[str, str]] = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        key = match.group(1).lower()
        value = text[match.end():end].strip().strip(",").strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1].strip()
        items.append((_FILTER_KEY_ALIAS.get(key, key), value))
    return tuple(items)


@dataclass(frozen=True)
class FilterSpec:
    """The active filter as the user sees it (dates as typed, outlets as stored once resolved)."""

    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.since or self.until or self.sources)

    def label(self) -> str:
        """``source=The Verge since=2023-10-01``: what the prompt shows while a filter is active."""
        parts = [f"source={s}" for s in self.sources]
        parts += [f"{key}={value}" for key, value in (("since", self.since), ("until", self.until)) if value]
        return " ".join(parts)

    def updated(self, items: Sequence[tuple[str, str]]) -> "FilterSpec":
        """This filter with ``/filter`` items applied: a key given replaces that key (``source`` may
        repeat and then lists several outlets); an empty value removes the key; ``off`` removes all."""
        if any(key == "off" for key, _ in items):
            return FilterSpec()
        since, until, sources = self.since, self.until, list(self.sources)
        new_sources: list[str] | None = None
        for key, value in items:
            if key == "since":
                since = value or None
            elif key == "until":
                until = value or None
            elif key == "source":
                new_sources = new_sources if new_sources is not None else []
                if value and value not in new_sources:
                    new_sources.append(value)
        if new_sources is not None:
            sources = new_sources
        return FilterSpec(since, until, tuple(sources))


def prompt_text(spec: FilterSpec) -> str:
    """``[source=The Verge since=2023-10-01] > `` while a filter is active, else ``> ``."""
    return f"[{spec.label()}] > " if not spec.is_empty() else "> "


def help_text(topic: str = "") -> str:
    if topic:
        info = COMMANDS[topic]
        return f"{info.usage}\n  {info.summary}"
    width = max(len(info.usage) for name, info in COMMANDS.items() if name != "filter")
    lines = ["Ask a question in plain words; follow-ups may refer to the previous answer. Commands:"]
    for name, info in COMMANDS.items():
        usage = "/filter since=… until=… source=…" if name == "filter" else info.usage
        lines.append(f"  {usage:<{width}}  {info.summary}")
    lines.append("Keys: Up/Down recall earlier lines (kept across sessions), Ctrl-C cancels an answer "
                 "or clears the line, Ctrl-D quits.")
    return "\n".join(lines)


# ==== follow-up questions (pure) =====================================================================

_LEAD = re.compile(r"^\s*(?:(?:and|but|also|so|then|ok|okay|now|plus)\b[\s,]*)+", re.I)
_ABOUT_LEAD = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\b", re.I)
_ANAPHORA = frozenset("""he she it they them him his her hers its their theirs this these those same else
former latter""".split())
_THAT_ANAPHOR = re.compile(r"\b(?:about|of|on|with|after|before|for|to|by|like)\s+that\b|\b(?:that|there)\s*[?.!]*\s*$",
                           re.I)
_FILLER = frozenset("""what who whom whose which when where why how did does do doing done is are was were be been can
could will would should shall may might must has have had tell me say said says saying report reported reports
reporting think thought explain describe give show list more else anything something much many any also
happen happened happening mention mentioned according please us our regarding explain detail details""".split())
_WORD = re.compile(r"[A-Za-z0-9][\w’'\-.]*[\w]|[A-Za-z0-9]")
MAX_CARRIED = 8


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def is_follow_up(question: str) -> bool:
    """Does ``question`` lean on the conversation ("and what did India say?", "why?", "when was that")?"""
    text = question.strip()
    if not text:
        return False
    if _LEAD.match(text) or _ABOUT_LEAD.match(text):
        return True
    words = _words(text)
    names = find_names(text)
    # A pronoun after a name the question gives itself ("... Sam Bankman-Fried and what he said") points inward.
    first_name = min((n.start for n in names), default=len(text))
    before = _words(text[:first_name])
    if any(w in _ANAPHORA for w in before) or _THAT_ANAPHOR.search(text):
        return True
    content = [w for w in words if w not in STOPWORDS and w not in _FILLER]
    return len(content) <= 1 and not names


def key_terms(question: str) -> list[str]:
    """The words worth carrying into a follow-up, in order: names whole ("Sam Bankman-Fried"), then
    any other content word; question words, verbs of saying and stop words are left out."""
    names = [(m.start, m.end, m.text) for m in find_names(question)]
    terms: list[str] = []
    seen: set[str] = set()
    for match in _WORD.finditer(question):
        name = next((n for n in names if n[0] <= match.start() < n[1]), None)
        if name is not None:
            term = name[2]
        else:
            term = match.group(0)
            low = term.lower().replace("’", "'")
            if low in STOPWORDS or low in _FILLER or (len(low) < 3 and not low.isdigit()):
                continue
        if term.lower() not in seen:
            seen.add(term.lower())
            terms.append(term)
    return terms


def _outlet_keys(text: str, outlets: Sequence[str]) -> set[str]:
    """Stored outlets ``text`` names (by the outlet's key or its leading words: "Verge", "CNBC")."""
    from ..retrieve.outlets import outlet_key

    key = f" {outlet_key(text)} "
    found = set()
    for outlet in outlets:
        words = outlet_key(outlet).split()
        if words and any(f" {' '.join(words[:n])} " in key for n in range(1, len(words) + 1)):
            found.add(outlet)
    return found


def carried_terms(previous: str, question: str, outlets: Sequence[str] = ()) -> list[str]:
    """Key terms of ``previous`` that ``question`` does not already contain. When the question names
    an outlet of its own, the previous question's outlets are not carried ("and what did Fortune say?")."""
    have = set(_words(question))
    carried = [t for t in key_terms(previous) if not all(w in have for w in _words(t))]
    if outlets and _outlet_keys(question, outlets):
        carried = [t for t in carried if not _outlet_keys(t, outlets)]
    return carried[:MAX_CARRIED]


def condense_fallback(previous: str | None, question: str, outlets: Sequence[str] = ()) -> str:
    """Deterministic standalone rewrite of a follow-up: the question with the previous (standalone)
    question's key terms carried over. A question that does not look like a follow-up is kept as is.

    ``("What is the EU exploring with India?", "and what did Modi say?")``
    -> ``"What did Modi say, regarding EU exploring India?"``
    """
    question = " ".join(question.split())
    if not previous or not is_follow_up(question):
        return question
    carried = carried_terms(previous, question, outlets)
    if not carried:
        return question
    core = _LEAD.sub("", question).strip().rstrip("?.! ").strip() or question.rstrip("?.! ")
    core = core[0].upper() + core[1:]
    return f"{core}, regarding {' '.join(carried)}?"


_REWRITE_PREFIX = re.compile(r"^\s*(?:standalone question|rewritten question|question|rewrite|q)\s*[:\-–]\s*", re.I)
_QUESTION_START = re.compile(r"^(?:what|who|whom|whose|which|when|where|why|how|did|does|do|is|are|was|were|can|"
                             r"could|will|would|should|has|have|had|in|according|tell|list|name|give|explain)\b", re.I)


def clean_rewrite(raw: str, question: str, previous: str | None, outlets: Sequence[str] = ()) -> str | None:
    """The model's standalone rewrite, tidied; ``None`` when it is unusable (empty, an answer rather than
    a question, too long, dropping a name the user typed, or not bringing in any context)."""
    lines = [ln.strip() for ln in raw.strip().splitlines() if ln.strip()]
    if not lines:
        return None
    text = _REWRITE_PREFIX.sub("", lines[0])
    text = CITATION_RE.sub("", text).strip().strip("\"'“”*`").strip()
    text = " ".join(text.split())
    if not text or len(text) > 300 or len(text.split()) < 3:
        return None
    if not (text.endswith("?") or _QUESTION_START.match(text)):
        return None  # the model answered instead of rewriting
    low = set(_words(text))
    if any(not set(_words(n.text)) <= low for n in find_names(question)):
        return None
    if previous:
        carried = carried_terms(previous, question, outlets)
        if carried and not any(set(_words(t)) <= low for t in carried):
            return None
    return text if text.endswith("?") else text.rstrip(".!") + "?"


def history_text(turns: Sequence["Turn"], max_turns: int = 3, answer_chars: int = 240) -> str:
    """The last few question/answer pairs for the condense prompt, answers shortened and unmarked."""
    lines: list[str] = []
    for turn in [t for t in turns if t.kind == "question"][-max_turns:]:
        lines.append(f"User: {turn.standalone or turn.question}")
        if turn.answer is not None:
            answer = " ".join(CITATION_RE.sub("", turn.answer.answer).split())
            if len(answer) > answer_chars:
                answer = answer[:answer_chars].rsplit(" ", 1)[0] + " …"
            lines.append(f"Assistant: {answer}")
    return "\n".join(lines)


# ==== transcript (pure) ==============================================================================

@dataclass
class Turn:
    """One exchange: a question and its answer, or a briefing note (``kind == "brief"``)."""

    question: str
    standalone: str = ""
    answer: Any = None  # assistant.answer.Answer
    kind: str = "question"
    markdown: str = ""  # the briefing note for kind "brief"
    note: str = ""  # "cancelled", an error line, ...
    filters: str = ""
    first_token_s: float | None = None
    total_s: float | None = None


def cited_numbers(answer: Any) -> list[int]:
    """Source numbers the answer's sentences cite, in order of first use (only valid ones)."""
    seen: list[int] = []
    for sentence in getattr(answer, "sentences", []) or []:
        for n in sentence.citations:
            if 1 <= n <= len(answer.sources) and n not in seen:
                seen.append(n)
    if not seen:  # answers without per-sentence data: read the markers in the text
        from ..grounding.citations import marker_numbers

        for marker in CITATION_RE.findall(getattr(answer, "answer", "") or ""):
            for n in marker_numbers(marker):
                if 1 <= n <= len(answer.sources) and n not in seen:
                    seen.append(n)
    return seen


def source_line(n: int, passage: "Passage") -> str:
    art = passage.article
    date = art.published_at[:10] or "undated"
    return f"[{n}] {art.title or '(untitled)'} — {art.source or 'unknown outlet'}, {date}"


def _md_escape(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def _excerpt(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def transcript_markdown(turns: Sequence[Turn], *, llm: str, saved_at: datetime | None = None) -> str:
    """The conversation as Markdown: each question, what it was searched as, the verified answer with
    its [n] citations, and its sources (cited ones with their passage, the rest listed)."""
    saved_at = saved_at or datetime.now(timezone.utc)
    out = ["# Chat transcript", "", f"- saved: {saved_at.strftime('%Y-%m-%d %H:%M UTC')}", f"- model: {llm}", ""]
    number = 0
    for turn in turns:
        number += 1
        if turn.kind == "brief":
            out += [f"## {number}. Briefing: {turn.question}", ""]
            if turn.filters:
                out += [f"*Filter:* {turn.filters}", ""]
            body = re.sub(r"(?m)^(#{1,4}) ", r"##\1 ", turn.markdown.strip())  # nest its headings under the turn's
            out += [body or f"*({turn.note or 'no briefing'})*", ""]
            continue
        out += [f"## {number}. {turn.question}", ""]
        if turn.standalone and turn.standalone != turn.question:
            out += [f"*Searched as:* {turn.standalone}", ""]
        if turn.filters:
            out += [f"*Filter:* {turn.filters}", ""]
        answer = turn.answer
        if answer is None:
            out += [f"*({turn.note or 'no answer'})*", ""]
            continue
        out += [answer.answer.strip() or "*(empty answer)*", ""]
        if getattr(answer, "abstained", False):
            out += ["*(abstained: the sources do not support an answer)*", ""]
        dropped = [s for s in getattr(answer, "sentences", []) or [] if not s.supported]
        if dropped and not getattr(answer, "abstained", False):
            out += [f"*{len(dropped)} draft sentence(s) failed verification and are not shown above.*", ""]
        cited = cited_numbers(answer)
        if answer.sources:
            out += ["**Sources**", ""]
            for n in cited:
                passage = answer.sources[n - 1]
                out.append(_md_source(n, passage))
                out.append(f"   > {_excerpt(passage.text)}")
            others = [n for n in range(1, len(answer.sources) + 1) if n not in cited]
            if others:
                if cited:
                    out += ["", "Also retrieved (not cited):", ""]
                out += [_md_source(n, answer.sources[n - 1]) for n in others]
            out.append("")
        if turn.note:
            out += [f"*({turn.note})*", ""]
    return "\n".join(out).rstrip() + "\n"


def _md_source(n: int, passage: "Passage") -> str:
    art = passage.article
    title = _md_escape(art.title or "(untitled)")
    link = f"[{title}]({art.url})" if art.url else title
    return f"{n}. {link} — {art.source or 'unknown outlet'}, {art.published_at[:10] or 'undated'}"


# ==== the session ====================================================================================

class Cancelled(Exception):
    """The user pressed Ctrl-C while an answer or briefing was running."""


def history_path() -> Path:
    """Where line history is kept across sessions: ``$ASSISTANT_CHAT_HISTORY``, else
    ``$XDG_DATA_HOME/news-assistant/chat_history`` (``~/.local/share/...``)."""
    if os.environ.get(HISTORY_ENV):
        return Path(os.environ[HISTORY_ENV]).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "news-assistant" / "chat_history"


class Output:
    """Where the session writes: a text stream, dim styling only on a colour terminal."""

    def __init__(self, stream=None, color: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        if color is None:
            color = (hasattr(self.stream, "isatty") and self.stream.isatty() and os.environ.get("TERM", "") != "dumb"
                     and not os.environ.get("NO_COLOR"))
        self.color = bool(color)
        self.lock = threading.Lock()

    def write(self, text: str) -> None:
        with self.lock:
            self.stream.write(text)
            self.stream.flush()

    def line(self, text: str = "") -> None:
        self.write(text + "\n")

    def transient(self, text: str) -> None:
        """A status shown until the next ``clear_transient`` (only on a real terminal that can erase it)."""
        if self.color:
            with self.lock:
                self._transient = True
                self.stream.write(self.dim(text))
                self.stream.flush()

    def clear_transient(self) -> None:
        with self.lock:
            if getattr(self, "_transient", False):
                self._transient = False
                self.stream.write("\r\x1b[K")
                self.stream.flush()

    def dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if self.color else text

    def width(self) -> int:
        return max(40, min(110, shutil.get_terminal_size((100, 24)).columns))


class ChatSession:
    """Chat state: the models (loaded once), the active filter, the turns so far, the last answer."""

    def __init__(self, settings: "Settings", *, retriever=None, llm: "ChatModel | None | str" = "settings",
                 answerer=None, filters: FilterSpec | None = None, out: Output | None = None) -> None:
        from ..retrieve.retriever import Retriever

        self.settings = settings
        self.out = out or Output()
        self.retriever = retriever or Retriever(settings)
        if llm == "settings":
            from ..llm import make_llm

            llm = make_llm(settings)
        self.llm: ChatModel | None = llm  # type: ignore[assignment]
        self.answerer = answerer or self._make_answerer(settings, self.llm)
        self.spec = FilterSpec()
        self.filters = None  # retrieval.Filters | None
        self.turns: list[Turn] = []
        self.last_answer: Any = None
        self._straggler: threading.Event | None = None  # "done" of a cancelled answer still winding down
        self.first_token_s: float | None = None  # of the session's first streamed answer
        if filters is not None and not filters.is_empty():
            self.set_filter(filters)

    def _make_answerer(self, settings: "Settings", llm: "ChatModel | None"):
        from ..answer.answerer import Answerer

        return Answerer(settings, retriever=self.retriever, llm=llm)

    @property
    def llm_name(self) -> str:
        return self.llm.name if self.llm is not None else "none (extractive)"

    @property
    def prompt(self) -> str:
        return prompt_text(self.spec)

    # ---- filters -------------------------------------------------------------------------------
    def set_filter(self, spec: FilterSpec) -> None:
        """Check and resolve ``spec`` (unknown outlets and bad dates raise ``InputError``), then keep it."""
        if spec.is_empty():
            self.spec, self.filters = FilterSpec(), None
            return
        filters = self.retriever.filters(spec.since, spec.until, list(spec.sources))
        self.spec = replace(spec, sources=tuple(filters.sources))
        self.filters = filters

    # ---- one line ------------------------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Run one input line (question or command); ``False`` means "quit". Errors become one line."""
        line = line.strip()
        if not line:
            return True
        try:
            command = parse_command(line)
            if command is None:
                self.ask(line)
                return True
            return self.run_command(command)
        except Cancelled:
            return True
        except AssistantError as exc:
            self.out.line(f"! {exc}")
            return True

    def run_command(self, cmd: Command) -> bool:
        out = self.out
        if cmd.name == "quit":
            return False
        if cmd.name == "help":
            out.line(help_text(cmd.arg))
        elif cmd.name == "sources":
            self._show_sources()
        elif cmd.name == "open":
            self._open(cmd.number or 0)
        elif cmd.name == "filter":
            if cmd.filter_items:
                self.set_filter(self.spec.updated(cmd.filter_items))
                out.line(f"filter: {self.spec.label()}" if not self.spec.is_empty() else "filter off")
            else:
                out.line(f"filter: {self.spec.label()}" if not self.spec.is_empty()
                         else f"no filter ({COMMANDS['filter'].usage})")
        elif cmd.name == "clear":
            self.turns.clear()
            self.last_answer = None
            kept = f" (filter kept: {self.spec.label()})" if not self.spec.is_empty() else ""
            out.line("conversation cleared" + kept)
        elif cmd.name == "save":
            path = self.save(cmd.arg)
            asked = sum(1 for t in self.turns)
            out.line(f"saved {asked} turn{'s' if asked != 1 else ''} to {path}")
        elif cmd.name == "llm":
            if cmd.arg:
                self.switch_llm(cmd.arg)
            out.line(f"model: {self.llm_name}")
        elif cmd.name == "brief":
            self.brief(cmd.arg)
        return True

    # ---- asking --------------------------------------------------------------------------------
    def previous_question(self) -> str | None:
        for turn in reversed(self.turns):
            if turn.kind == "question":
                return turn.standalone or turn.question
        return None

    def condense(self, question: str, cancel: threading.Event | None = None) -> str:
        """The standalone form of ``question``: the model's rewrite when usable, else the fallback."""
        previous = self.previous_question()
        if not previous or not is_follow_up(question):
            return " ".join(question.split())
        if self.llm is not None:
            try:
                from ..llm.prompting import load_prompt

                messages = load_prompt("condense").render(history=history_text(self.turns), question=question)
                pieces: list[str] = []
                for piece in self.llm.stream(messages, max_tokens=60, temperature=0.0, stop=["\n\n"]):
                    pieces.append(piece)
                    if cancel is not None and cancel.is_set():
                        raise Cancelled()
                rewrite = clean_rewrite("".join(pieces), question, previous, self.retriever.sources)
                if rewrite:
                    return rewrite
            except AssistantError:
                pass  # a failed rewrite is not worth failing the turn: fall back
        return condense_fallback(previous, question, self.retriever.sources)

    def ask(self, question: str) -> Turn:
        """Condense, answer (streaming), show compact sources; the turn joins the conversation."""
        out = self.out
        turn = Turn(question=question, filters=self.spec.label())
        streamed: list[str] = []
        started = time.perf_counter()

        def work(cancel: threading.Event):
            out.transient("thinking…")
            standalone = self.condense(question, cancel)
            turn.standalone = standalone
            out.clear_transient()
            if standalone != " ".join(question.split()):
                out.line(out.dim(f"(searching: {standalone})"))
            if cancel.is_set():
                raise Cancelled()
            out.transient("searching and checking sources…")

            def on_token(token: str) -> None:
                if cancel.is_set():
                    return
                if turn.first_token_s is None:
                    turn.first_token_s = time.perf_counter() - started
                    out.clear_transient()
                streamed.append(token)
                out.write(token)

            return self.answerer.ask(standalone, filters=self.filters, on_token=on_token, cancel=cancel)

        try:
            answer = self.run_cancellable(work)
        except Cancelled:
            out.clear_transient()
            turn.note = "cancelled"
            turn.standalone = turn.standalone or " ".join(question.split())
            self.turns.append(turn)
            raise
        finally:
            out.clear_transient()
        turn.total_s = time.perf_counter() - started
        if self.first_token_s is None and turn.first_token_s is not None:
            self.first_token_s = turn.first_token_s
        turn.answer = answer
        self.turns.append(turn)
        self.last_answer = answer
        self._show_answer(turn, "".join(streamed))
        return turn

    def _show_answer(self, turn: Turn, streamed: str) -> None:
        """Finish what streaming began: the rest of the verified text (the answerer streams sentences
        as they pass verification, so the last one may come only now), or the verified answer in full
        when it differs from the stream; then the cited sources, one line each, and a status line."""
        out, answer = self.out, turn.answer
        final = answer.answer.strip()
        shown, whole = _squash(streamed), _squash(final)
        if not shown:
            out.line(_wrap(final, out.width()))
        elif whole == shown:
            out.line("")
        elif whole.startswith(shown):
            out.line(whole[len(shown):].lstrip() if shown.endswith(" ") or whole[len(shown):].startswith(" ")
                     else whole[len(shown):])
        else:
            out.line("")
            dropped = sum(1 for s in answer.sentences if not s.supported)
            why = (f"{dropped} unsupported sentence{'s' if dropped != 1 else ''} removed" if dropped
                   else "after checking the sources")
            out.line(out.dim(f"── verified answer ({why}):"))
            out.line(_wrap(final, out.width()))
        if getattr(answer, "abstained", False) and getattr(answer, "reason", ""):
            out.line(out.dim(f"  (abstained: {answer.reason})"))
        cited = cited_numbers(answer)
        for n in cited:
            out.line("  " + _clip(source_line(n, answer.sources[n - 1]), out.width() - 2))
        bits = []
        if answer.sources:
            bits.append(f"{len(cited)} of {len(answer.sources)} sources cited · /sources · /open N")
        if turn.first_token_s is not None:
            bits.append(f"first token {turn.first_token_s:.1f} s")
        if turn.total_s is not None:
            bits.append(f"{turn.total_s:.1f} s")
        if bits:
            out.line(out.dim("  (" + " · ".join(bits) + ")"))

    def run_cancellable(self, fn: Callable[[threading.Event], Any]) -> Any:
        """Run ``fn(cancel)`` in a worker thread; Ctrl-C sets ``cancel``, prints "(cancelled)" and raises
        ``Cancelled`` so the REPL returns to the prompt while the worker winds down.

        The main thread waits on an Event, never on ``Thread.join``: a join interrupted by Ctrl-C marks a
        still-running thread as stopped (CPython's bpo-45274 handling), which would let two answers run at once.
        """
        if self._straggler is not None and not self._straggler.is_set():
            self.out.line(self.out.dim("(waiting for the cancelled answer to stop…)"))
            self._straggler.wait()
        self._straggler = None
        cancel, done = threading.Event(), threading.Event()
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["result"] = fn(cancel)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                box["error"] = exc
            finally:
                done.set()

        try:
            threading.Thread(target=target, name="chat-answer", daemon=True).start()
            while not done.wait(0.05):
                pass
        except KeyboardInterrupt:
            cancel.set()
            self.out.clear_transient()
            self.out.line("\n(cancelled)")
            try:
                done.wait(3.0)
            except KeyboardInterrupt:
                pass
            if not done.is_set():
                self._straggler = done
            raise Cancelled() from None
        if "error" in box:
            raise box["error"]
        return box.get("result")

    def wait_idle(self, timeout: float | None = None) -> None:
        """Let a cancelled answer still winding down finish (a model must not be freed under it at exit)."""
        if self._straggler is not None:
            self._straggler.wait(timeout)

    # ---- commands ------------------------------------------------------------------------------
    def _need_answer(self) -> Any:
        if self.last_answer is None:
            raise CommandError("no answer yet: ask a question first")
        if not self.last_answer.sources:
            raise CommandError("the last answer has no sources")
        return self.last_answer

    def _show_sources(self) -> None:
        from ..core.render import passage_lines

        answer = self._need_answer()
        cited = set(cited_numbers(answer))
        for n, passage in enumerate(answer.sources, 1):
            lines = passage_lines(n, passage)
            if n in cited:
                lines[0] += "  (cited)"
            self.out.line("\n".join(lines))

    def _open(self, number: int) -> None:
        answer = self._need_answer()
        if not 1 <= number <= len(answer.sources):
            raise CommandError(f"no source {number}: the last answer has sources 1–{len(answer.sources)}")
        passage = answer.sources[number - 1]
        got = self.retriever.store.get_article(passage.article.id)
        if got is None:
            raise CommandError(f"article of source {number} is no longer in the index")
        meta, body = got
        art = passage.article
        width = self.out.width()
        lines = [f"[{number}] {meta.get('title') or art.title or '(untitled)'}",
                 f"    {meta.get('source') or art.source or 'unknown outlet'}, "
                 f"{str(meta.get('published_at') or art.published_at)[:10] or 'undated'}"
                 + (f" · {meta.get('author')}" if meta.get("author") else "")]
        if meta.get("url") or art.url:
            lines.append(f"    {meta.get('url') or art.url}")
        lines.append("")
        for para in re.split(r"\n\s*\n|\n", body or ""):
            if para.strip():
                lines.append(textwrap.fill(" ".join(para.split()), width))
                lines.append("")
        self.out.line("\n".join(lines).rstrip())

    def save(self, name: str) -> Path:
        if not self.turns:
            raise CommandError("nothing to save yet: ask a question first")
        path = Path(name.strip().strip("\"'")).expanduser()
        if path.is_dir():
            raise CommandError(f"{path} is a folder: give a file name, e.g. /save {path / 'chat.md'}")
        try:
            path.write_text(transcript_markdown(self.turns, llm=self.llm_name), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
        return path

    def switch_llm(self, spec: str) -> None:
        from ..llm import make_llm, parse_spec

        parse_spec(spec)  # a bad spec raises ModelError with the forms allowed
        settings = self.settings.model_copy(deep=True)
        settings.llm.spec = spec.strip()
        self.out.line(self.out.dim("loading model…"))
        llm = make_llm(settings)
        self.answerer = self._make_answerer(settings, llm)
        self.settings, self.llm = settings, llm

    def brief(self, topic: str) -> None:
        """A briefing note on ``topic`` with the session's models and active filter."""
        from ..brief.writer import write_brief

        kwargs = {"retriever": self.retriever, "llm": self.llm, "filters": self.filters, "progress": False}
        if getattr(self.answerer, "verifier", None) is not None:
            kwargs["verifier"] = self.answerer.verifier  # reuse: its embedder is already loaded
        turn = Turn(question=topic, kind="brief", filters=self.spec.label())
        self.out.line(self.out.dim(f"(writing a briefing note on {topic!r}…)"))
        result = self.run_cancellable(lambda cancel: write_brief(topic, self.settings, **kwargs))
        turn.markdown = result.to_markdown()
        self.turns.append(turn)
        self.out.line(turn.markdown.rstrip())


def _squash(text: str) -> str:
    return " ".join(text.split())


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(p, width) if p.strip() else "" for p in text.split("\n"))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)].rstrip() + "…"


# ==== the loop =======================================================================================

def process_age() -> float | None:
    """Seconds since this process started (Linux ``/proc``), so time-to-prompt includes interpreter start."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def _prompt_session():
    """A prompt_toolkit session with line history kept in ``history_path()`` (in memory if unwritable)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
    from prompt_toolkit.completion import WordCompleter
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
        history = FileHistory(str(path))
    except OSError:
        history = InMemoryHistory()
    words = [f"/{name}" for name in COMMANDS]
    completer = WordCompleter(words, sentence=True, match_middle=False)
    return PromptSession(history=history, auto_suggest=AutoSuggestFromHistory(), completer=completer,
                         complete_while_typing=False)


def run_repl(session: ChatSession, interactive: bool, stdin=None) -> int:
    """The loop: a terminal gets line editing and history; a pipe gets one question per line."""
    out = session.out
    if not interactive:
        for raw in (stdin or sys.stdin):
            line = raw.strip()
            if not line:
                continue
            if not line.startswith("/"):
                out.line(f"> {line}")
            if not session.handle(line):
                break
            out.line("")
        return 0
    prompt = _prompt_session()
    while True:
        try:
            line = prompt.prompt(session.prompt)
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt clears the line, like a shell
        except EOFError:
            out.line("bye")
            return 0
        try:
            keep_going = session.handle(line)
        except KeyboardInterrupt:  # Ctrl-C during a command (printing an article, saving): back to the prompt
            out.line("\n(cancelled)")
            keep_going = True
        if not keep_going:
            out.line("bye")
            return 0
        out.line("")


def start_chat(settings: "Settings", spec: FilterSpec | None = None, interactive: bool | None = None) -> int:
    """Load the index and models once, say how long that took, then run the loop."""
    interactive = sys.stdin.isatty() and sys.stdout.isatty() if interactive is None else interactive
    out = Output()
    status = out if interactive else Output(sys.stderr, color=False)
    started = time.perf_counter()
    status.write(status.dim("loading index and models…"))
    try:
        session = ChatSession(settings, filters=spec, out=out)
    except BaseException:
        status.line("")
        raise
    loaded = time.perf_counter() - started
    age = process_age()
    articles = len(session.retriever.store.states())
    since_start = f", {age:.1f} s since start" if age is not None else ""
    status.line(status.dim(f" ready in {loaded:.1f} s{since_start} · {articles} articles · model {session.llm_name}"))
    if interactive:
        out.line(out.dim("Ask a question, or /help. Ctrl-C cancels an answer, Ctrl-D quits."))
    try:
        code = run_repl(session, interactive)
    finally:
        try:
            session.wait_idle(30.0)
        except KeyboardInterrupt:
            pass
    if session.first_token_s is not None and interactive:
        out.line(out.dim(f"(startup {age if age is not None else loaded:.1f} s to first prompt; "
                         f"first streamed token {session.first_token_s:.1f} s after the first question)"))
    return code
