"""The chat's state and what one input line does to it.

``ChatSession`` holds the models (loaded once), the active filter and the turns so far; ``handle`` runs a
question or a slash command, the commands through the ``HANDLERS`` table. Every answer comes from the same
``Answerer`` as ``assistant ask``, so verification and abstention are the same.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..core.errors import AssistantError
from ..llm import FROM_SETTINGS, chosen_llm
from .commands import COMMANDS, Command, CommandError, help_text, parse_command
from .display import AnswerView, Output, show_article, show_sources
from .filter_spec import FilterSpec, prompt_text
from .follow_ups import standalone_question
from .transcript import Turn, save_transcript
from .worker import Cancelled, Worker

if TYPE_CHECKING:
    from ..core.settings import Settings
    from ..llm import ChatModel


class ChatSession:
    """Chat state: the models (loaded once), the active filter, the turns so far, the last answer."""

    def __init__(self, settings: "Settings", *, retriever=None, llm: Any = FROM_SETTINGS,
                 answerer=None, filters: FilterSpec | None = None, out: Output | None = None) -> None:
        from ..retrieve.retriever import Retriever

        self.settings = settings
        self.out = out or Output()
        self.retriever = retriever or Retriever(settings)
        self.llm: ChatModel | None = chosen_llm(settings, llm)
        self.answerer = answerer or self._make_answerer(settings, self.llm)
        self.spec = FilterSpec()
        self.filters = None  # retrieve.filters.Filters | None
        self.turns: list[Turn] = []
        self.last_answer: Any = None
        self.worker = Worker(self.out)
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

    def set_filter(self, spec: FilterSpec) -> None:
        """Check and resolve ``spec`` (unknown outlets and bad dates raise ``InputError``), then keep it."""
        if spec.is_empty():
            self.spec, self.filters = FilterSpec(), None
            return
        filters = self.retriever.filters(spec.since, spec.until, list(spec.sources))
        self.spec = replace(spec, sources=tuple(filters.sources))
        self.filters = filters

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

    def _follow_the_index(self) -> None:
        """Another process ingested since the last question: answer from the index as it stands now."""
        if not self.retriever.changed():
            return
        self.retriever = self.retriever.reloaded()
        if getattr(self.answerer, "retriever", None) is not None:
            self.answerer.retriever = self.retriever
        if not self.spec.is_empty():
            self.set_filter(self.spec)
        self.out.line("the index changed; reloaded")

    def run_command(self, cmd: Command) -> bool:
        """Run a parsed command through ``HANDLERS``; ``False`` means "quit"."""
        if cmd.name == "quit":
            return False
        HANDLERS[cmd.name](self, cmd)
        return True

    # ---- asking --------------------------------------------------------------------------------
    def ask(self, question: str) -> Turn:
        """Condense, answer (streaming), show compact sources; the turn joins the conversation."""
        out = self.out
        self._follow_the_index()
        started = time.perf_counter()
        turn = Turn(question=question, filters=self.spec.label())
        view = AnswerView(out, turn, started)

        def work(cancel: threading.Event):
            out.transient("thinking…")
            standalone = standalone_question(question, self.turns, self.llm, self.retriever.sources, cancel)
            turn.standalone = standalone
            out.clear_transient()
            if standalone != " ".join(question.split()):
                out.line(out.dim(f"(searching: {standalone})"))
            if cancel.is_set():
                raise Cancelled()
            out.transient("searching and checking sources…")

            def on_token(token: str) -> None:
                if not cancel.is_set():
                    view.token(token)

            return self.answerer.ask(standalone, filters=self.filters, on_token=on_token, cancel=cancel)

        try:
            answer = self.worker.run(work)
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
        view.finish()
        return turn

    def brief(self, topic: str) -> None:
        """A briefing note on ``topic`` with the session's models and active filter."""
        from ..brief.render import brief_to_markdown
        from ..brief.writer import write_brief

        kwargs = {"retriever": self.retriever, "llm": self.llm, "filters": self.filters, "progress": False}
        if getattr(self.answerer, "verifier", None) is not None:
            kwargs["verifier"] = self.answerer.verifier  # reuse: its embedder is already loaded
        turn = Turn(question=topic, kind="brief", filters=self.spec.label())
        self.out.line(self.out.dim(f"(writing a briefing note on {topic!r}…)"))
        result = self.worker.run(lambda cancel: write_brief(topic, self.settings, **kwargs))
        turn.markdown = brief_to_markdown(result)
        self.turns.append(turn)
        self.out.line(turn.markdown.rstrip())

    def switch_llm(self, spec: str) -> None:
        """Load the model ``spec`` names and answer with it from now on (a bad spec changes nothing)."""
        from ..llm import make_llm, parse_spec

        parse_spec(spec)  # a bad spec raises ModelError with the forms allowed
        settings = self.settings.model_copy(deep=True)
        settings.llm.spec = spec.strip()
        self.out.line(self.out.dim("loading model…"))
        llm = make_llm(settings)
        self.answerer = self._make_answerer(settings, llm)
        self.settings, self.llm = settings, llm

    # ---- commands ------------------------------------------------------------------------------
    def _need_answer(self) -> Any:
        if self.last_answer is None:
            raise CommandError("no answer yet: ask a question first")
        if not self.last_answer.sources:
            raise CommandError("the last answer has no sources")
        return self.last_answer

    def _help(self, cmd: Command) -> None:
        self.out.line(help_text(cmd.arg))

    def _sources(self, cmd: Command) -> None:
        show_sources(self.out, self._need_answer())

    def _open(self, cmd: Command) -> None:
        number = cmd.number or 0
        answer = self._need_answer()
        if not 1 <= number <= len(answer.sources):
            raise CommandError(f"no source {number}: the last answer has sources 1–{len(answer.sources)}")
        passage = answer.sources[number - 1]
        got = self.retriever.store.get_article(passage.article.id)
        if got is None:
            raise CommandError(f"article of source {number} is no longer in the index")
        meta, body = got
        show_article(self.out, number, passage, meta, body)

    def _filter(self, cmd: Command) -> None:
        if cmd.filter_items:
            self.set_filter(self.spec.updated(cmd.filter_items))
            self.out.line(f"filter: {self.spec.label()}" if not self.spec.is_empty() else "filter off")
        else:
            self.out.line(f"filter: {self.spec.label()}" if not self.spec.is_empty()
                          else f"no filter ({COMMANDS['filter'].usage})")

    def _clear(self, cmd: Command) -> None:
        self.turns.clear()
        self.last_answer = None
        kept = f" (filter kept: {self.spec.label()})" if not self.spec.is_empty() else ""
        self.out.line("conversation cleared" + kept)

    def _save(self, cmd: Command) -> None:
        path = save_transcript(self.turns, cmd.arg, llm=self.llm_name)
        saved = len(self.turns)
        self.out.line(f"saved {saved} turn{'s' if saved != 1 else ''} to {path}")

    def _llm(self, cmd: Command) -> None:
        if cmd.arg:
            self.switch_llm(cmd.arg)
        self.out.line(f"model: {self.llm_name}")

    def _brief(self, cmd: Command) -> None:
        self.brief(cmd.arg)


HANDLERS: dict[str, Callable[[ChatSession, Command], None]] = {
    "help": ChatSession._help,
    "sources": ChatSession._sources,
    "open": ChatSession._open,
    "brief": ChatSession._brief,
    "filter": ChatSession._filter,
    "clear": ChatSession._clear,
    "save": ChatSession._save,
    "llm": ChatSession._llm,
}
"""What each command does (``/quit`` is the one that ends the loop instead); keys are ``COMMANDS``'s."""
