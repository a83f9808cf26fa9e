"""Outside text made safe to keep and to show: control characters out, secrets redacted.

Articles come from anywhere, and an escape sequence in a title (``\\x1b[2J``) clears the screen of
whoever prints it; a server's error text may echo the request's API key back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Characters a terminal or a line reader treats as line breaks become newlines; every other control
# character (C0 but tab and newline, DEL, C1, whose \x9b is a CSI on some terminals) is dropped.
_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x1c-\x1e\x85]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")

_SECRETS = (
    (re.compile(r"\b(Bearer)\s+[^\s\"',;]+", re.IGNORECASE), r"\1 [redacted]"),
    (re.compile(r"\b(Basic)\s+[A-Za-z0-9+/]{8,}=*"), r"\1 [redacted]"),
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{4,}"), "[redacted]"),
    (re.compile(r"\b(api[_-]?key|access[_-]?token|token|secret|password)(\"?\s*[=:]\s*\"?)[^\s\"',;&]+", re.IGNORECASE),
     r"\1\2[redacted]"),
)
_MIN_KNOWN = 6  # a configured "key" shorter than this (say "x") would redact ordinary words


def strip_controls(text: str) -> str:
    """``text`` without control characters, keeping tabs and line breaks (as ``\\n``)."""
    return _CONTROLS.sub("", _BREAKS.sub("\n", text))


def redact_secrets(text: str, known: Iterable[str | None] = ()) -> str:
    """``text`` with anything that looks like a key or bearer token, and the ``known`` secrets, replaced."""
    for secret in known:
        if secret and len(secret) >= _MIN_KNOWN:
            text = text.replace(secret, "[redacted]")
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text
