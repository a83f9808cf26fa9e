"""Measure BERTScore-style token alignment on the FRANK dev summaries (issue #19): each summary sentence's
wordpieces matched to its article's most similar wordpieces, in MiniLM's static wordpiece vectors (the
support model's, ``grounding/static.py``) and, with ``--contextual``, in MiniLM's contextual token outputs
(the ONNX graph's ``last_hidden_state``, one run per sentence).

Printed per score and summary combination (mean, min of its sentences): Pearson with the human factuality
and ROC AUC of "correct", and milliseconds per claim. Scores: precision against the best sentence, the best
window (one sentence or two adjacent ones) and the whole article, each weighted by the training corpus's
wordpiece weights (SIF, IDF-like; never from dev text), and the weakest content wordpiece of the best
sentence. Nothing here is trained: it measures whether the signal is there and what it costs. (As six
support-model features the static scores did not earn their place; README, "Verifier".)

    python -m bench.verifier_alignment --dev ../shared/data/cnndm_frank/frank_validation_model_summaries.json \
        --articles 30 --contextual
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.core.settings import load_settings
from assistant.evals.frank import DEFAULT_PATH, load_frank
from assistant.evals.verifier_metrics import combine, pearson, roc_auc
from assistant.grounding.static import load_static
from assistant.index.embedder import _session, install_minilm
from assistant.text.placeholders import mask_placeholders
from assistant.text.sentences import split_sentences

CONTENT_WEIGHT = 0.5  # a content wordpiece: under ~0.1% of the training corpus's wordpieces (SIF weight > 1/2)
SCORES = ("sentence precision", "window precision", "article precision", "weakest content wordpiece")
Tokens = tuple[np.ndarray, np.ndarray]  # wordpiece ids, their unit vectors


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


def static_tokens(static) -> Callable[[Sequence[str]], list[Tokens]]:
    """Wordpieces in the support model's static vectors (common direction removed)."""
    def encode(texts: Sequence[str]) -> list[Tokens]:
        out = []
        for e in static.tokenizer.encode_batch(list(texts), add_special_tokens=False):
            ids = np.asarray(e.ids, dtype=np.int64)
            rows = static.table[ids].astype(np.float32)
            out.append((ids, _unit(rows - np.outer(rows @ static.common, static.common))))
        return out
    return encode


def contextual_tokens(static, models_dir: Path) -> Callable[[Sequence[str]], list[Tokens]]:
    """Wordpieces in MiniLM's contextual outputs, one single-threaded run per text (the fastest on CPU)."""
    session = _session(install_minilm(models_dir) / "onnx" / "model.onnx", 1)

    def encode(texts: Sequence[str]) -> list[Tokens]:
        out = []
        for e in static.tokenizer.encode_batch(list(texts)):  # with [CLS] and [SEP]
            ids = np.asarray([e.ids[:256]], dtype=np.int64)
            hidden = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids),
                                        "token_type_ids": np.zeros_like(ids)})[0][0]
            out.append((ids[0, 1:-1], _unit(hidden[1:-1])))
        return out
    return encode


def scores(claim: Tokens, article: np.ndarray, starts: np.ndarray, weights: np.ndarray) -> list[float]:
    """The ``SCORES`` of one claim against its article's wordpieces (``article``: their vectors; ``starts``:
    where each sentence begins), 1.0 when it has nothing to align."""
    ids, vectors = claim
    if not len(ids) or not len(starts) or weights[ids].sum() <= 0:
        return [1.0] * len(SCORES)
    share = weights[ids] / weights[ids].sum()
    per_sentence = np.maximum.reduceat(vectors @ article.T, starts, axis=1)
    precision = share @ per_sentence
    pairs = share @ np.maximum(per_sentence[:, :-1], per_sentence[:, 1:]) if len(starts) > 1 else precision
    best, content = int(np.argmax(precision)), weights[ids] > CONTENT_WEIGHT
    weakest = float(per_sentence[content, best].min()) if content.any() else 1.0
    return [float(precision[best]), float(max(precision.max(), pairs.max())),
            float(share @ per_sentence.max(axis=1)), weakest]


def measure(items: list[dict], encode: Callable[[Sequence[str]], list[Tokens]], weights: np.ndarray) -> tuple:
    """Per summary, its sentences' scores; and milliseconds per claim (article sentences encoded once)."""
    by_article: dict[str, list[dict]] = {}
    for item in items:
        by_article.setdefault(item["article"], []).append(item)
    started, claims, out = time.perf_counter(), 0, []
    for article, group in by_article.items():
        sentences = [s for s in encode(split_sentences(article)) if len(s[0])]
        matrix = np.vstack([v for _, v in sentences]) if sentences else np.zeros((0, 384), dtype=np.float32)
        starts = np.cumsum([0, *(len(ids) for ids, _ in sentences)])[:-1]
        encoded = iter(encode([mask_placeholders(line) for item in group for line in item["lines"]]))
        for item in group:
            out.append((item, [scores(next(encoded), matrix, starts, weights) for _ in item["lines"]]))
            claims += len(item["lines"])
    return out, (time.perf_counter() - started) * 1000 / max(claims, 1)


def report(name: str, rows: list, ms: float) -> None:
    human = [item["factuality"] for item, _ in rows]
    correct = [item["factuality"] == 1.0 for item, _ in rows]
    print(f"{name}: {ms:.1f} ms per claim")
    for j, score in enumerate(SCORES):
        for how in ("mean", "min"):
            summary = [combine([line[j] for line in lines], how) for _, lines in rows]
            print(f"  {score:26s} summary = {how:4s}  Pearson {pearson(summary, human):.3f}  "
                  f"ROC AUC {roc_auc(correct, summary):.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_PATH, help="FRANK validation summaries (dev set)")
    parser.add_argument("--articles", type=int, default=0, help="only the first N articles' summaries (0: all)")
    parser.add_argument("--contextual", action="store_true", help="also MiniLM's contextual token outputs (slow)")
    args = parser.parse_args(argv)
    if not args.dev.exists():
        print(f"FRANK dev summaries not found at {args.dev}: nothing to measure")
        return 0
    items = load_frank(args.dev)
    if args.articles:
        kept = set(list(dict.fromkeys(x["article"] for x in items))[:args.articles])
        items = [x for x in items if x["article"] in kept]
    models_dir = load_settings().embed.models_dir
    static = load_static(models_dir)
    weights = static.weights.astype(np.float32)
    print(f"{len(items)} summaries, {sum(len(x['lines']) for x in items)} sentences (FRANK validation: DEV)")
    report("static wordpiece vectors", *measure(items, static_tokens(static), weights))
    if args.contextual:
        report("MiniLM contextual token outputs", *measure(items, contextual_tokens(static, models_dir), weights))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
