"""Prompt templates are files with declared, checked placeholders (docs/ARCHITECTURE.md: llm).

A prompt lives in ``prompts/NAME.toml`` (shipped as the package ``assistant.prompts``)::

    [prompt]
    name = "answer"                   # must equal the file name
    version_note = "why this version" # free text for humans
    required = ["question", "passages"]
    optional = []                     # may be left out at render time (rendered as "")
    system = \"\"\"...\"\"\"              # system message (optional)
    user = \"\"\"... {question} ...\"\"\" # user message

Placeholders are ``{name}``; literal braces are written ``{{`` and ``}}``. Loading fails with a
``PromptError`` naming the file and the variable when the template uses an undeclared variable or
leaves a declared one unused; rendering fails when a required variable is missing or an unknown one
is passed. ``Prompt.version`` (a short hash of the file) is recorded with every answer.
"""

from __future__ import annotations

import hashlib
import re
import string
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..core.errors import PromptError
from ..core.passage import Passage

FENCE_OPEN = "«««"
FENCE_CLOSE = "»»»"
_KEYS = frozenset({"name", "version_note", "required", "optional", "system", "user"})
_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Prompt:
    """A checked template: chat messages with ``{variable}`` placeholders."""

    name: str
    version: str
    path: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    messages: tuple[tuple[str, str], ...]  # (role, template)

    def render(self, **variables: object) -> list[dict[str, str]]:
        """Chat messages with the variables filled in; values are inserted verbatim, never re-parsed."""
        unknown = sorted(set(variables) - set(self.required) - set(self.optional))
        if unknown:
            raise PromptError(f"prompt '{self.name}' ({self.path}) got unknown variable '{unknown[0]}'",
                              hint=f"it takes {', '.join(self.required + self.optional)}")
        missing = [v for v in self.required if v not in variables]
        if missing:
            raise PromptError(f"prompt '{self.name}' ({self.path}) needs variable '{missing[0]}'")
        values = {name: "" for name in self.optional} | {k: str(v) for k, v in variables.items()}
        return [{"role": role, "content": template.format(**values)} for role, template in self.messages]


def _prompt_dir() -> Path:
    """The shipped prompt folder; in a source tree that is not installed, the repository's ``prompts/``."""
    try:
        return Path(str(resources.files("assistant.prompts")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "prompts"


def list_prompts(directory: Path | None = None) -> list[str]:
    """Names of the prompt files available (so tests can check every one)."""
    return sorted(p.stem for p in (directory or _prompt_dir()).glob("*.toml"))


def load_prompt(name: str, directory: Path | None = None) -> Prompt:
    """Load and check ``NAME.toml`` from ``directory`` (default: the shipped prompts)."""
    if not _NAME.fullmatch(name):
        raise PromptError(f"bad prompt name '{name}'", hint="use lower-case letters, digits and '_'")
    path = (directory or _prompt_dir()) / f"{name}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        available = ", ".join(list_prompts(directory))
        raise PromptError(f"prompt file not found: {path}", hint=f"available: {available}") from None
    try:
        table = tomllib.loads(text).get("prompt")
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"prompt file {path} is not valid TOML: {exc}") from None
    if not isinstance(table, dict):
        raise PromptError(f"prompt file {path} has no [prompt] table")
    extra = sorted(set(table) - _KEYS)
    if extra:
        raise PromptError(f"prompt file {path}: unknown key '{extra[0]}'", hint=f"keys are {', '.join(sorted(_KEYS))}")
    if table.get("name") != name:
        raise PromptError(f"prompt file {path}: name is {table.get('name')!r}, expected '{name}'")
    required = _names(table, "required", path)
    optional = _names(table, "optional", path)
    both = sorted(set(required) & set(optional))
    if both:
        raise PromptError(f"prompt file {path}: variable '{both[0]}' is both required and optional")
    messages = tuple((role, table[role]) for role in ("system", "user") if table.get(role))
    if not any(role == "user" for role, _ in messages):
        raise PromptError(f"prompt file {path} has no user message")
    used: set[str] = set()
    for role, template in messages:
        if not isinstance(template, str):
            raise PromptError(f"prompt file {path}: '{role}' must be a string")
        used |= _placeholders(template, path, role)
    undeclared = sorted(used - set(required) - set(optional))
    if undeclared:
        raise PromptError(f"prompt file {path} uses undeclared variable '{undeclared[0]}'",
                          hint="declare it in 'required' or 'optional', or write literal braces as {{ }}")
    unused = [v for v in (*required, *optional) if v not in used]
    if unused:
        raise PromptError(f"prompt file {path} declares variable '{unused[0]}' but never uses it")
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return Prompt(name, version, str(path), required, optional, messages)


def _names(table: dict[str, object], key: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.isidentifier() for v in value):
        raise PromptError(f"prompt file {path}: '{key}' must be a list of variable names")
    return tuple(value)


def _placeholders(template: str, path: Path, role: str) -> set[str]:
    """Variable names used in a template; anything but a plain ``{name}`` is an error."""
    try:
        fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise PromptError(f"prompt file {path}: bad braces in '{role}' ({exc})",
                          hint="write literal braces as {{ }}") from None
    for field_name, spec, conversion in fields:
        if not field_name.isidentifier() or spec or conversion:
            raise PromptError(f"prompt file {path}: placeholder '{{{field_name}}}' in '{role}' is not a plain "
                              "variable name", hint="use {name}; write literal braces as {{ }}")
    return {f for f, _, _ in fields}


def _defence(text: str) -> str:
    """Make fence characters inert so an article cannot close its fence and speak as the prompt."""
    return text.replace("«", "‹").replace("»", "›")


def format_passages(passages: Sequence[Passage], start: int = 1) -> str:
    """Number and fence passages as untrusted data: ``[1] (The Verge, 2023-10-05) «««text»»»``.

    Whitespace is collapsed (every prompt token costs time on a small model); ``start`` lets a caller
    keep one numbering across several prompts.
    """
    blocks = []
    for n, passage in enumerate(passages, start):
        date = passage.article.published_at[:10]
        label = ", ".join(part for part in (passage.article.source.strip(), date) if part)
        head = f"[{n}] ({_defence(label)})" if label else f"[{n}]"
        body = _defence(" ".join(passage.text.split()))
        blocks.append(f"{head} {FENCE_OPEN}{body}{FENCE_CLOSE}")
    return "\n\n".join(blocks)
