"""``assistant verify CLAIM --evidence FILE...`` / ``--batch FILE.jsonl``: is a claim supported by the given text?"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .check import NOT_ALL_SUPPORTED


def add_parser(sub, shared) -> None:
    p = sub.add_parser("verify", parents=[shared["common"]], help="check a claim against evidence texts",
                       description="The verifier answers, briefs and chat use, on your own claim and evidence: "
                                   "supported or not, a calibrated score (0-1) and the reasons. No index needed. "
                                   "Exit code 0 when every claim is supported, 3 when any is not (or a batch line "
                                   "is unusable).",
                       epilog='example: assistant verify "Seth is visiting India." --evidence article.txt; '
                              'assistant verify --batch claims.jsonl --json (one {"claim": ..., "evidence": [...]} '
                              'per line in, one {"supported", "score", "reasons"} per line out)')
    p.add_argument("claim", nargs="?", help="the claim (one or more sentences are checked as one)")
    p.add_argument("--evidence", metavar="FILE", nargs="+", default=[], help="text files, each one passage")
    p.add_argument("--batch", metavar="FILE", help='JSON lines: {"claim": str, "evidence": [str, ...]}; - for stdin')
    p.add_argument("--json", action="store_true", help="one JSON object per claim per line")
    p.set_defaults(handler=run)


def _read_evidence(paths: list[str]) -> list[str]:
    from ..core.errors import InputError

    texts = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read evidence ({exc.__class__.__name__})") from None
        if text.strip():
            texts.append(text)
    if not texts:
        raise InputError("no evidence text: give --evidence FILE... with some text in it")
    return texts


def parse_line(line: str) -> tuple[str, list[str]]:
    """One batch line as (claim, evidence); ValueError with a short reason when it is unusable."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON ({err.msg})") from None
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    claim, evidence = item.get("claim"), item.get("evidence")
    if not isinstance(claim, str) or not claim.strip():
        raise ValueError("'claim' must be a non-empty string")
    if isinstance(evidence, str):
        evidence = [evidence]
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise ValueError("'evidence' must be a list of strings")
    evidence = [e for e in evidence if e.strip()]
    if not evidence:
        raise ValueError("'evidence' has no text")
    return claim, evidence


def _batch(path: str) -> list[tuple[str, list[str]] | str]:
    """Each non-blank line parsed, or its one-line reason."""
    from ..core.errors import InputError

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    out: list[tuple[str, list[str]] | str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(parse_line(line))
        except ValueError as exc:
            out.append(f"line {number}: {exc}")
    return out


def verdict_json(verdict) -> dict[str, Any]:
    return {"supported": verdict.supported, "score": round(verdict.score, 4), "reasons": list(verdict.reasons)}


def _show(claim: str, verdict) -> None:
    from ..core.sanitize import strip_controls

    state = "supported" if verdict.supported else "NOT supported"
    print(f"{state} (score {verdict.score:.2f}): {strip_controls(claim)}")
    for reason in verdict.reasons:
        print(f"  - {strip_controls(reason)}")


def run(args: argparse.Namespace) -> int:
    from ..core.errors import InputError

    if bool(args.batch) == bool(args.claim):
        raise InputError("give either a claim (with --evidence FILE...) or --batch FILE.jsonl")
    items = _batch(args.batch) if args.batch else [(args.claim, _read_evidence(args.evidence))]
    usable = [item for item in items if not isinstance(item, str)]
    for reason in (item for item in items if isinstance(item, str)):
        print(f"assistant: {reason}", file=sys.stderr)
    if not usable:
        raise InputError("no usable line in the batch file")
    from ..grounding.verifier import make_verifier
    from ..index.embedder import make_embedder
    from .main import settings_from_args

    settings = settings_from_args(args)
    verdicts = iter(make_verifier(settings, make_embedder(settings), learned=True).check_many(usable))
    all_supported = len(usable) == len(items)
    for item in items:
        if isinstance(item, str):
            if args.json:
                print(json.dumps({"error": item}))
            continue
        verdict = next(verdicts)
        all_supported = all_supported and verdict.supported
        if args.json:
            print(json.dumps(verdict_json(verdict), ensure_ascii=False))
        else:
            _show(item[0], verdict)
    return 0 if all_supported else NOT_ALL_SUPPORTED
