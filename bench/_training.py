"""What the trainers that learn from both MultiHop-RAG and a RealTime QA set share: their common flags, the
skip when the news set is absent, and the week that makes a news fold (a held-out week is never trained on)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path


def week(item: dict) -> str:
    """The ISO week (``2025-W09`` style, as ``%G-%V``) of a news question's date: its fold group."""
    return date.fromisoformat(str(item["question_date"])[:10]).strftime("%G-%V")


def both_sets_parser(description: str, model_path: Path) -> argparse.ArgumentParser:
    """``--queries``, ``--corpus``, ``--news`` (required), ``--out`` (default: the shipped model) and ``--folds``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--news", required=True, help="a RealTime-QA-layout folder (questions.jsonl + corpus.jsonl)")
    parser.add_argument("--out", default=str(model_path))
    parser.add_argument("--folds", type=int, default=5)
    return parser


def news_set_missing(folder: str, target: str) -> bool:
    """Whether the news set is absent (then ``target`` is skipped with a one-line message)."""
    if (Path(folder) / "questions.jsonl").exists():
        return False
    print(f"{target}: skipped, no RealTime QA set at {folder}", file=sys.stderr)
    return True
