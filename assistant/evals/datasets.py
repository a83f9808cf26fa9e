"""Dataset loaders for the harness: query files (MultiHop-RAG JSON or one query per line) and
briefing/summary sets. Malformed files raise ``InputError`` with a one-line reason that names the
place (line/column, item number), because eval runs are long and a vague failure wastes them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..core.errors import InputError


def file_hash(path: str | Path) -> str:
    """SHA-256 of the file's bytes: recorded with every run so results name their exact dataset."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stable_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a file") from None
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text (byte {err.start})") from None


def _parse_json(path: Path, text: str, line_offset: int = 0) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        where = f"line {err.lineno + line_offset}, column {err.colno}"
        raise InputError(f"{path}: invalid JSON at {where}: {err.msg}") from None


def _parse_jsonl(path: Path, text: str) -> list[Any]:
    return [_parse_json(path, line, n - 1) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def _records(path: Path) -> list[Any]:
    """JSON (a list, or one object) or JSONL, chosen by suffix."""
    text = _read_text(path)
    if path.suffix.lower() == ".jsonl":
        return _parse_jsonl(path, text)
    data = _parse_json(path, text)
    return data if isinstance(data, list) else [data]


def _query_item(path: Path, number: int, raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = {"query": raw}
    if not isinstance(raw, dict):
        raise InputError(f"{path}: item {number} is {type(raw).__name__}, expected an object with 'query'")
    query = raw.get("query", raw.get("question"))
    if not isinstance(query, str) or not query.strip():
        raise InputError(f"{path}: item {number} has no 'query' text")
    evidence = raw.get("evidence_list") or []
    if not isinstance(evidence, list):
        raise InputError(f"{path}: item {number}: 'evidence_list' is not a list")
    gold: list[str] = []
    for e_number, entry in enumerate(evidence, 1):
        fact = entry.get("fact") if isinstance(entry, dict) else None
        if not isinstance(fact, str) or not fact.strip():
            # An empty fact is a substring of every chunk and would score as a hit.
            raise InputError(f"{path}: item {number}, evidence {e_number} has no 'fact' text")
        gold.append(fact)
    answer = raw.get("answer")
    return {
        "id": str(raw.get("id") or _stable_id(query)),
        "query": query.strip(),
        "answer": answer if isinstance(answer, str) else None,
        "question_type": str(raw.get("question_type") or "unknown"),
        "gold": gold,
        "evidence_list": evidence,
    }


def load_queries(path: str | Path) -> list[dict[str, Any]]:
    """Queries from a MultiHop-RAG queries JSON/JSONL or a text file with one query per line.

    Each item: ``id, query, answer (or None), question_type ("unknown" for text), gold (facts),
    evidence_list``. Any suffix other than .json/.jsonl is read as plain text; blank lines are skipped.
    """
    path = Path(path)
    if path.suffix.lower() in {".json", ".jsonl"}:
        items = [_query_item(path, n, raw) for n, raw in enumerate(_records(path), 1)]
    else:
        lines = [line.strip() for line in _read_text(path).splitlines()]
        items = [_query_item(path, n, line) for n, line in enumerate(lines, 1) if line]
    if not items:
        raise InputError(f"{path}: no queries found")
    return items


def _brief_item(path: Path, number: int, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InputError(f"{path}: item {number} is {type(raw).__name__}, expected an object")
    if "documents" in raw:
        documents = raw["documents"]
        if not isinstance(documents, list) or not all(isinstance(d, str) and d.strip() for d in documents):
            raise InputError(f"{path}: item {number}: 'documents' must be a list of non-empty texts")
    elif isinstance(raw.get("article"), str) and raw["article"].strip():
        documents = [raw["article"]]
    else:
        raise InputError(f"{path}: item {number} has neither 'documents' nor 'article' text")
    if not documents:
        raise InputError(f"{path}: item {number}: 'documents' is empty")
    reference = raw.get("reference", raw.get("summary"))
    if not isinstance(reference, str) or not reference.strip():
        raise InputError(f"{path}: item {number} has no 'reference' or 'summary' text")
    known = {"id", "documents", "article", "reference", "summary"}
    return {
        "id": str(raw.get("id") or _stable_id(*documents, reference)),
        "documents": documents,
        "reference": reference,
        "extra": {k: v for k, v in raw.items() if k not in known},
    }


def load_brief_dataset(path: str | Path) -> list[dict[str, Any]]:
    """Summary/briefing items from JSON or JSONL: ``id, documents (texts), reference, extra``.

    Accepts ``documents`` (several texts) or ``article`` (one) and ``reference`` or ``summary``;
    items without an id get one hashed from their texts, so reruns line up item by item.
    """
    path = Path(path)
    items = [_brief_item(path, n, raw) for n, raw in enumerate(_records(path), 1)]
    if not items:
        raise InputError(f"{path}: no items found")
    return items
