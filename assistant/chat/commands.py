"""Slash commands, pure: the command table, parsing a line into a ``Command``, and the help text.

A bad command raises ``CommandError`` with a one-line hint, so the REPL shows it and carries on.
What each command does is the session's (``session.HANDLERS``); this module only reads lines.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..core.errors import InputError


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
    name = _command_name(word)
    usage = f"usage: {COMMANDS[name].usage}"
    if name in _NO_ARGS and arg:
        raise CommandError(f"/{name} takes no arguments ({usage})")
    if name == "open":
        return Command(name, arg, number=_source_number(arg, usage))
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


def _command_name(word: str) -> str:
    """The canonical name of ``/word`` (aliases resolved); unknown words get a "did you mean" hint."""
    key = word.lower()
    name = ALIASES.get(key, key)
    if name not in COMMANDS:
        guess = difflib.get_close_matches(key, list(COMMANDS) + list(ALIASES), n=1, cutoff=0.6)
        hint = f"did you mean /{ALIASES.get(guess[0], guess[0])}? " if guess else ""
        shown = f"/{word}" if word else "/"
        raise CommandError(f"unknown command {shown} ({hint}/help lists the commands)")
    return name


def _source_number(arg: str, usage: str) -> int:
    """``/open``'s argument: ``2`` or ``[2]``, counted from 1 like the answer's citations."""
    if not re.fullmatch(r"\[?\d{1,3}\]?", arg):
        raise CommandError(f"/open needs a source number, e.g. /open 1 ({usage})")
    number = int(arg.strip("[]"))
    if number < 1:
        raise CommandError(f"sources are numbered from 1 ({usage})")
    return number


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


def help_text(topic: str = "") -> str:
    """All commands, one line each (``/filter`` shortened to fit the column), or one command in full."""
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
