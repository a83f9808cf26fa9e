"""The ``assistant chat`` loop: prompt_toolkit line editing with history across sessions on a terminal,
one question per line from a pipe; and ``start_chat``, which loads everything once and runs it."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .commands import COMMANDS
from .display import Output
from .filter_spec import FilterSpec
from .session import ChatSession

if TYPE_CHECKING:
    from ..core.settings import Settings

HISTORY_ENV = "ASSISTANT_CHAT_HISTORY"
"""Environment variable naming the line-history file (tests point it into a temporary folder)."""


def history_path() -> Path:
    """Where line history is kept across sessions: ``$ASSISTANT_CHAT_HISTORY``, else
    ``$XDG_DATA_HOME/news-assistant/chat_history`` (``~/.local/share/...``)."""
    if os.environ.get(HISTORY_ENV):
        return Path(os.environ[HISTORY_ENV]).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "news-assistant" / "chat_history"


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
            session.worker.wait_idle(30.0)
        except KeyboardInterrupt:
            pass
    if session.first_token_s is not None and interactive:
        out.line(out.dim(f"(startup {age if age is not None else loaded:.1f} s to first prompt; "
                         f"first streamed token {session.first_token_s:.1f} s after the first question)"))
    return code
