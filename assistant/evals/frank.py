"""The FRANK validation summaries (a dev set): five summarisers' summaries of 75 CNN/DailyMail articles
with human factuality judgements. Read from outside the repository, never shipped or committed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from .perturb_facts import detokenize

# Beside the repository, where the shared data lives (never inside it).
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "../shared/data/cnndm_frank/frank_validation_model_summaries.json"


_BRACKETS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}


def clean_line(line: str) -> str:
    """A summary sentence as plain text: PTB brackets and tokenisation undone. A summariser's "UNK" stays:
    a word it could not write is a word nobody can check."""
    for token, bracket in _BRACKETS.items():
        line = line.replace(token, bracket)
    return detokenize(line).strip()


def load_frank(path: str | Path) -> list[dict[str, Any]]:
    """Items with ``article``, ``lines`` (detokenised sentences), ``factuality``, ``error_types``, ``model``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no FRANK summaries file") from None
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: invalid JSON at line {err.lineno}: {err.msg}") from None
    if not isinstance(data, list) or not all(isinstance(x, dict) and "summary_lines" in x for x in data):
        raise InputError(f"{path}: not a FRANK summaries file (a list of objects with 'summary_lines')")
    return [{"article": x["article"], "lines": [line for s in x["summary_lines"] if (line := clean_line(s))],
             "factuality": float(x["factuality"]), "error_types": x.get("error_types") or {},
             "model": x.get("model", "")} for x in data]
