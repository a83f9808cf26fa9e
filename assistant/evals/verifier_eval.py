"""``assistant eval verifier``: the shipped verifier on the FRANK validation summaries (human labels, a dev
set: they chose the threshold), on the held-out perturbation set and on held-out summary-style claims
(MultiHop-RAG articles the support model never trained on), with milliseconds per claim.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .frank import load_frank
from .report import run_meta, write_report
from .verifier_cases import Case, corpus_cases, summary_cases
from .verifier_metrics import FRANK_ERRORS, claim_metrics, has_error, summaries_at, summary_metrics

METRIC_KEYS = ["balanced_accuracy", "roc_auc", "pearson", "correct_accepted", "wrong_caught", "rejected",
               "ms_per_claim"]
ISSUE_BASELINE = {"balanced_accuracy": 0.61, "roc_auc": 0.71, "pearson": 0.40, "correct_accepted": 0.91,
                  "wrong_caught": 0.31}


def _timed(verifier, pairs: Sequence[tuple[str, list[str]]]) -> tuple[list, float]:
    started = time.perf_counter()
    verdicts = verifier.check_many(pairs)
    return verdicts, (time.perf_counter() - started) * 1000 / max(len(pairs), 1)


EVEN_ODDS = 0.5  # the calibrated score's even odds: what the trees alone decide, shown beside the shipped threshold


def _passes_hard(verdict, threshold: float) -> bool:
    """Whether the hard checks passed (a rejection below the threshold may be the score's alone)."""
    return verdict.supported or verdict.score < threshold


def frank_run(verifier, items: list[dict[str, Any]],
              threshold: float | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every summary sentence checked against its article, article by article (as a session would);
    decisions at ``threshold`` (default: the verifier's)."""
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        by_article[item["article"]].append(i)
    lines: dict[int, list[tuple[float, bool]]] = {}
    ms_total, claims = 0.0, 0
    for article, indexes in by_article.items():
        pairs = [(line, [article]) for i in indexes for line in items[i]["lines"]]
        verdicts, ms = _timed(verifier, pairs)
        ms_total, claims = ms_total + ms * len(pairs), claims + len(pairs)
        it = iter(verdicts)
        for i in indexes:
            lines[i] = [(v.score, _passes_hard(v, verifier.threshold)) for v in (next(it) for _ in items[i]["lines"])]
    at = verifier.threshold if threshold is None else threshold
    scores, accepted = summaries_at([lines[i] for i in range(len(items))], verifier.model.summary, at)
    metrics = summary_metrics(items, scores, accepted)
    by_type = {kind: {"rejected": metrics["caught_by_error_type"][kind],
                      "n": sum(has_error(x, kind) for x in items)} for kind in FRANK_ERRORS}
    correct = [not ok for x, ok in zip(items, accepted) if x["factuality"] == 1.0]
    by_type["correct (no error)"] = {"rejected": sum(correct) / max(len(correct), 1), "n": len(correct)}
    overall = {k: metrics[k] for k in ("balanced_accuracy", "roc_auc", "pearson", "correct_accepted", "wrong_caught", "n")}
    overall["ms_per_claim"] = round(ms_total / max(claims, 1), 2)
    records = [{"model": x["model"], "factuality": x["factuality"], "score": round(s, 4),
                "lines": [round(score, 4) for score, _ in lines[i]]}
               for i, (x, s) in enumerate(zip(items, scores))]
    return {"overall": overall, "by_type": by_type}, records


def perturbation_run(verifier, cases: list[Case], threshold: float | None = None) -> dict[str, Any]:
    """Claim-level metrics on the held-out perturbation set, and the share rejected per kind."""
    verdicts, ms = _timed(verifier, [(c.claim, [c.evidence]) for c in cases])
    at = verifier.threshold if threshold is None else threshold
    decided = [_passes_hard(v, verifier.threshold) and v.score >= at for v in verdicts]
    metrics = claim_metrics([c.supported for c in cases], [v.score for v in verdicts], decided)
    overall = {"balanced_accuracy": metrics["balanced_accuracy"], "roc_auc": metrics["roc_auc"],
               "correct_accepted": metrics["supported_accepted"], "wrong_caught": metrics["unsupported_rejected"],
               "n": len(cases), "ms_per_claim": round(ms, 2)}
    kinds: dict[str, list[bool]] = defaultdict(list)
    for case, ok in zip(cases, decided):
        kinds[case.kind].append(not ok)
    return {"overall": overall, "by_type": {k: {"rejected": sum(v) / len(v), "n": len(v)} for k, v in sorted(kinds.items())}}


def run_verifier_eval(settings, dev_path: str | Path | None, corpus_path: str | Path, out_dir: str | Path,
                      n: int = 120, seed: int = 5, limit: int | None = None) -> Path:
    """Both runs, one report; the dev run is skipped (with a note) when its file is absent."""
    from ..grounding.verifier import make_verifier
    from ..index.embedder import make_embedder

    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    verifier = make_verifier(settings, make_embedder(settings), learned=True)
    verifier.check("The verifier warms up.", ["The verifier warms up before it is timed."])
    variants: dict[str, Any] = {}
    notes = [f"Threshold {verifier.threshold:.3f}; a summary's score is the {verifier.model.summary} of its "
             "sentences' scores. Both were chosen on the FRANK validation summaries: those numbers are DEV numbers.",
             "'rejected' by type: FRANK error types = share of the summaries with that error that were rejected; "
             "perturbation kinds = share of the claims rejected (true/variant/compress/merge/attribution/resolve "
             "should be low).",
             f"Rows 'at {EVEN_ODDS}': the same scores decided at the calibrated even odds instead (what the trees "
             "alone would reject; their ms/claim is a second pass over cached evidence)."]
    records: list[dict[str, Any]] = []
    if dev_path and Path(dev_path).exists():
        items = load_frank(dev_path)[:limit]
        variants["FRANK validation (dev)"], records = frank_run(verifier, items)
        variants[f"FRANK validation (dev), at {EVEN_ODDS}"] = frank_run(verifier, items, EVEN_ODDS)[0]
    else:
        notes.append(f"FRANK dev summaries not found at {dev_path}: that run was skipped.")
    articles = json.loads(Path(corpus_path).read_text(encoding="utf-8"))
    cases = corpus_cases(articles, limit or n, seed, "test")
    variants["perturbations (held-out articles)"] = perturbation_run(verifier, cases)
    variants[f"perturbations (held-out articles), at {EVEN_ODDS}"] = perturbation_run(verifier, cases, EVEN_ODDS)
    summaries = summary_cases(articles, (limit or n) // 3, 2, seed, "test")
    variants["summary-style claims (held-out articles)"] = perturbation_run(verifier, summaries)
    main = next(iter(variants))
    meta = run_meta(dev_path if main.startswith("FRANK") else corpus_path, settings.identity(), started_at=started,
                    threshold=verifier.threshold, summary=verifier.model.summary, perturbation_seed=seed)
    out = write_report(out_dir, "Verifier eval", variants, main, None, meta, METRIC_KEYS,
                       chart_keys=["rejected"], references={"issue #19 baseline (FRANK dev, old verifier)": ISSUE_BASELINE},
                       notes=notes)
    (out / "summaries.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return out
