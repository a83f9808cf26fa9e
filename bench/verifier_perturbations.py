"""How well does the verifier catch a changed fact? A seeded perturbation set from the MultiHop-RAG corpus.

Each sampled sentence (one with a number, a name or a date) is paired with a window of its own article
around it, as a retrieved chunk would be. The set holds:

- ``true``: the sentence as written (should be supported);
- ``variant``: the same claim in another surface form -- "2,000" as "2000", "percent" as "%", a month
  abbreviated, an attribution dropped, or only the sentence's first clause (should be supported);
- ``number`` / ``name`` / ``date``: one fact changed -- a number scaled, a name swapped for another name
  from the corpus, a date or year shifted (should be unsupported);
- ``number_inside`` / ``name_inside``: a number or name swapped for another one *from the same window*
  (should be unsupported; every fact is present, only the relation is wrong -- the hard case);
- ``citation``: the true sentence cited against a window of another article of the same category
  (should be unsupported; the sweep shows how much of it the similarity threshold alone would catch);
- ``reference`` (optional, ``--references``): human-written abstractive summary sentences from
  CNN/DailyMail checked against their article (should be supported): real paraphrase, which
  verbatim corpus sentences are not.

Usage: ``python bench/verifier_perturbations.py CORPUS.json [-n 200] [--seed 7] [--threshold T]
[--references evals/data/cnndm_frank_validation.json] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.settings import load_settings
from assistant.grounding.verifier import DEFAULT_THRESHOLD, Verdict, Verifier
from assistant.index.embedder import Embedder, make_embedder
from assistant.text.mentions import (
    MONTH_NAMES,
    NameMention,
    find_dates,
    find_names,
    find_numbers,
)
from assistant.text.sentences import sentence_spans, split_sentences
from assistant.text.words import normalize, word_keys

TRUE_KINDS = ("true", "variant", "reference")
FACT_KINDS = ("number", "name", "date")
INSIDE_KINDS = ("number_inside", "name_inside")
WINDOW_WORDS = 170


@dataclass(frozen=True)
class Case:
    """One sentence to verify against one evidence window, and whether it should be supported."""

    kind: str
    sentence: str
    evidence: str
    original: str

    @property
    def supported(self) -> bool:
        return self.kind in TRUE_KINDS


def _usable(sentence: str) -> bool:
    """Prose sentences of ordinary length with a checkable fact (not menus, captions or link lists)."""
    words = sentence.split()
    if not 8 <= len(words) <= 45 or "http" in sentence or "\n" in sentence or sentence.count("|") > 0:
        return False
    capitalised = sum(w[:1].isupper() for w in words)
    if capitalised > 0.5 * len(words) or not sentence.rstrip("\"'”’").endswith((".", "!", "?")):
        return False
    return bool(find_numbers(sentence) or find_dates(sentence) or find_names(sentence))


def _window(body: str, spans: list[tuple[int, int]], i: int, rng: random.Random) -> str:
    """A chunk-sized run of sentences around sentence i, at a random offset, with the body's own spacing."""
    lo, hi = max(0, i - rng.randint(0, 3)), min(len(spans), i + 1 + rng.randint(0, 3))
    while len(body[spans[lo][0]:spans[hi - 1][1]].split()) > WINDOW_WORDS and hi - lo > 1:
        if hi - 1 > i:
            hi -= 1
        elif lo < i:
            lo += 1
        else:
            break
    return body[spans[lo][0]:spans[hi - 1][1]]


def _replace(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _plain_numbers(sentence: str) -> list:
    """Numbers that are neither years nor part of a date: the ones worth perturbing."""
    dates = find_dates(sentence)
    return [n for n in find_numbers(sentence)
            if not n.is_year and not any(d.start <= n.start < d.end for d in dates)]


def _perturb_number(sentence: str, evidence: str, rng: random.Random) -> str | None:
    """Scale one number (keeping its written form) to a value the window does not contain."""
    mentions = _plain_numbers(sentence)
    if not mentions:
        return None
    num = rng.choice(mentions)
    seen = {round(n.raw, 6) for n in find_numbers(evidence)} | {round(n.value, 6) for n in find_numbers(evidence)}
    digits = re.search(r"\d[\d,]*(?:\.\d+)?|\.\d+", num.text)
    if digits is None:  # a number word: swap for another
        words = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
        match = re.search(r"[A-Za-z]+", num.text)
        options = [w for w, v in words.items() if v != num.raw and v not in seen]
        if not options:
            return None
        return _replace(sentence, num.start + match.start(), num.start + match.end(), rng.choice(options))
    for factor in rng.sample([0.5, 1.5, 2.0, 3.0, 0.25, 1.25], 6):
        value = num.raw * factor if num.raw else float(rng.randint(2, 9))
        value = round(value, num.decimals) if num.decimals else float(round(value) or 1)
        if value == num.raw or round(value, 6) in seen or round(value * num.value / (num.raw or 1), 6) in seen:
            continue
        text = f"{value:,.{num.decimals}f}" if "," in digits.group(0) else f"{value:.{num.decimals}f}"
        return _replace(sentence, num.start + digits.start(), num.start + digits.end(), text)
    return None


def _perturb_date(sentence: str, evidence: str, rng: random.Random) -> str | None:
    """Shift a date's day or month, or else a bare year."""
    dates = find_dates(sentence)
    years = [n for n in find_numbers(sentence) if n.is_year and not any(d.start <= n.start < d.end for d in dates)]
    if dates:
        date = rng.choice(dates)
        if date.day is not None:
            new_day = rng.choice([d for d in range(1, 29) if d != date.day])
            day = re.search(rf"\b{date.day:d}\b|\b{date.day:02d}\b", date.text)
            if day:
                return _replace(sentence, date.start + day.start(), date.start + day.end(), str(new_day))
        month = re.search(r"[A-Z][a-z]+\.?", date.text)
        if month:
            shift = rng.choice([-3, -2, -1, 1, 2, 3])
            new = MONTH_NAMES[(date.month - 1 + shift) % 12]
            return _replace(sentence, date.start + month.start(), date.start + month.end(), new)
    if years:
        year = rng.choice(years)
        present = {int(n.raw) for n in find_numbers(evidence)}
        options = [int(year.raw) + s for s in (-3, -2, -1, 1, 2, 3) if int(year.raw) + s not in present]
        if options:
            return _replace(sentence, year.start, year.end, str(rng.choice(options)))
    return None


def _perturb_name(sentence: str, evidence: str, pool: dict[tuple[int, bool], list[str]],
                  rng: random.Random) -> str | None:
    """Swap a name for a corpus name of the same shape that the window does not mention."""
    names = find_names(sentence)
    if not names:
        return None
    name = rng.choice(names)
    base = re.sub(r"['’]s$", "", name.text)
    present = set(word_keys(evidence))
    options = [c for c in pool.get(_shape(name), []) if not set(word_keys(c)) <= present and c != base]
    if not options:
        return None
    return _replace(sentence, name.start, name.start + len(base), rng.choice(options))


def _shape(name: NameMention) -> tuple[int, bool]:
    return min(len(name.text.split()), 3), name.is_acronym


def _swap_inside_name(sentence: str, evidence: str, rng: random.Random) -> str | None:
    """Swap a name for another name of the same window: facts all present, relation wrong."""
    names = find_names(sentence)
    if not names:
        return None
    name = rng.choice(names)
    base = re.sub(r"['’]s$", "", name.text)
    own = set(word_keys(base))
    options = sorted({re.sub(r"['’]s$", "", n.text) for n in find_names(evidence)
                      if _shape(n) == _shape(name) and not set(word_keys(n.text)) & own})
    return _replace(sentence, name.start, name.start + len(base), rng.choice(options)) if options else None


def _swap_inside_number(sentence: str, evidence: str, rng: random.Random) -> str | None:
    """Swap a number for another number of the same window."""
    mentions = _plain_numbers(sentence)
    if not mentions:
        return None
    num = rng.choice(mentions)
    options = sorted({m.text for m in find_numbers(evidence)
                      if not m.is_year and m.raw != num.raw and m.value != num.value and re.match(r"\d", m.text)})
    digits = re.search(r"\d[\d,]*(?:\.\d+)?|\.\d+", num.text)
    if not options or digits is None:
        return None
    other = re.search(r"\d[\d,]*(?:\.\d+)?", rng.choice(options))
    return _replace(sentence, num.start + digits.start(), num.start + digits.end(), other.group(0))


_VARIANTS: list[tuple[str, str]] = [
    (r"(\d),(\d{3})\b", r"\1\2"),
    (r"(\d) percent\b", r"\1%"),
    (r"(\d)%", r"\1 percent"),
    (r"\b(Jan|Feb|Aug|Sept|Oct|Nov|Dec)[a-z]*\.? (\d)", r"\1. \2"),
    (r", (?:he|she|they|it) (?:said|says|added|noted)\.$", "."),
    (r"^(?:But|And|However|Meanwhile|Still|Also|So),? ", ""),
    (r"\b(?:very|really|also|just) ", ""),
]


def _variant(sentence: str, rng: random.Random) -> str | None:
    """The same claim in another surface form, or its first clause when no rewrite applies."""
    out = sentence
    for pattern, repl in rng.sample(_VARIANTS, len(_VARIANTS)):
        out = re.sub(pattern, repl, out)
    if out != sentence:
        return out[0].upper() + out[1:]
    if re.match(r"(?:If|When|Even|As|Although|Though|Because|While|By|After|Before|Since|Unless|With)\b", sentence):
        return None  # the first clause would be a fragment
    clause = re.match(r"(.{40,}?\w), (?:and|but|while|which|as|although|according to) ", sentence)
    return clause.group(1) + "." if clause and len(clause.group(1).split()) >= 8 else None


def build_cases(articles: Sequence[dict[str, Any]], n: int, seed: int) -> list[Case]:
    """The perturbation set for ``n`` sampled sentences (one per article, articles in seeded order)."""
    rng = random.Random(seed)
    order = list(range(len(articles)))
    rng.shuffle(order)
    pool: dict[tuple[int, bool], set[str]] = defaultdict(set)
    picks: list[tuple[int, list[tuple[int, int]], int]] = []
    for a in order:
        body = articles[a].get("body") or ""
        spans = sentence_spans(body)
        usable = [i for i, (lo, hi) in enumerate(spans) if _usable(body[lo:hi])]
        for i in usable[:40]:
            for name in find_names(body[spans[i][0]:spans[i][1]]):
                pool[_shape(name)].add(re.sub(r"['’]s$", "", name.text))
        if usable and len(picks) < n:
            picks.append((a, spans, rng.choice(usable)))
    pools = {shape: sorted(names) for shape, names in pool.items()}
    by_category: dict[str, list[int]] = defaultdict(list)
    for a, _, _ in picks:
        by_category[articles[a].get("category") or ""].append(a)

    cases: list[Case] = []
    for a, spans, i in picks:
        body = articles[a]["body"]
        sentence = body[spans[i][0]:spans[i][1]]
        evidence = _window(body, spans, i, rng)
        cases.append(Case("true", sentence, evidence, sentence))
        for kind, new in (("variant", _variant(sentence, rng)),
                          ("number", _perturb_number(sentence, evidence, rng)),
                          ("name", _perturb_name(sentence, evidence, pools, rng)),
                          ("date", _perturb_date(sentence, evidence, rng)),
                          ("number_inside", _swap_inside_number(sentence, evidence, rng)),
                          ("name_inside", _swap_inside_name(sentence, evidence, rng))):
            if new and normalize(new) != normalize(sentence):
                cases.append(Case(kind, new, evidence, sentence))
        others = [b for b in by_category[articles[a].get("category") or ""] if b != a]
        if others:
            other = articles[rng.choice(others)]["body"]
            other_spans = sentence_spans(other)
            window = _window(other, other_spans, rng.randrange(len(other_spans)), rng)
            cases.append(Case("citation", sentence, window, sentence))
    return cases


def _detokenize(text: str) -> str:
    """CNN/DailyMail references are PTB-tokenised ("Locke 's first six games ."): undo that."""
    text = re.sub(r" ([.,;:!?%)])", r"\1", text)
    text = re.sub(r" (['’]s|n't|'re|'ve|'ll|'d|'m)\b", r"\1", text)
    return text.replace("`` ", '"').replace(" ''", '"').replace("( ", "(").replace("$ ", "$")


def reference_cases(path: str | Path) -> list[Case]:
    """Human-written abstractive summary sentences checked against their whole article (should be supported).

    Verbatim corpus sentences are easy; these show what the similarity threshold costs on real paraphrase.
    """
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Case("reference", sentence, item["article"], sentence)
            for item in items for sentence in split_sentences(_detokenize(item["reference"]))]


def _scores(cases: Sequence[Case], accepted: Sequence[bool], kinds: Sequence[str]) -> dict[str, float]:
    """Precision/recall/F1 for *detecting* unsupported sentences of ``kinds``, and the true accept rate."""
    tp = sum(not ok for c, ok in zip(cases, accepted) if c.kind in kinds)
    fn = sum(ok for c, ok in zip(cases, accepted) if c.kind in kinds)
    fp = sum(not ok for c, ok in zip(cases, accepted) if c.supported)
    true_total = sum(c.supported for c in cases)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "true_accept_rate": round(1 - fp / true_total, 4) if true_total else 0.0}


def _accepted(verdicts: Sequence[Verdict], threshold: float) -> list[bool]:
    """Verdicts re-decided at another threshold (fact checks don't depend on it)."""
    return [not [r for r in v.reasons if not r.startswith("similarity")] and v.similarity >= threshold
            for v in verdicts]


def run(corpus_path: str | Path, n: int = 200, seed: int = 7, threshold: float = DEFAULT_THRESHOLD,
        embedder: Embedder | None = None, references_path: str | Path | None = None) -> dict[str, Any]:
    """Build the set, verify every case, and return the metrics (plus a threshold sweep for calibration).

    ``references_path`` (a CNN/DailyMail file with ``article`` and ``reference``) adds abstractive true cases.
    """
    articles = json.loads(Path(corpus_path).read_text(encoding="utf-8"))
    cases = build_cases(articles, n, seed) + (reference_cases(references_path) if references_path else [])
    verifier = Verifier(embedder or make_embedder(load_settings()), threshold)
    started = time.perf_counter()
    verdicts = verifier.check_many([(c.sentence, [c.evidence]) for c in cases])
    seconds = time.perf_counter() - started
    accepted = [v.supported for v in verdicts]
    counts = Counter(c.kind for c in cases)
    rate = {kind: round(sum(ok for c, ok in zip(cases, accepted) if c.kind == kind) / counts[kind], 4)
            for kind in counts}
    sweep = [{"threshold": t / 100, **_scores(cases, _accepted(verdicts, t / 100), (*FACT_KINDS, "citation")),
              "citation_by_similarity_alone": round(sum(v.similarity < t / 100 for c, v in zip(cases, verdicts)
                                                        if c.kind == "citation") / max(counts["citation"], 1), 4)}
             for t in range(30, 81, 5)]
    return {
        "corpus": str(corpus_path), "n_sentences": counts["true"], "seed": seed, "threshold": threshold,
        "cases": dict(sorted(counts.items())),
        "facts": _scores(cases, accepted, FACT_KINDS),
        "inside": _scores(cases, accepted, INSIDE_KINDS),
        "all": _scores(cases, accepted, (*FACT_KINDS, *INSIDE_KINDS, "citation")),
        "accept_rate_by_kind": dict(sorted(rate.items())),
        "sweep": sweep,
        "seconds": round(seconds, 2),
        "sentences_per_second": round(len(cases) / seconds, 1) if seconds else 0.0,
        "errors": [{"kind": c.kind, "sentence": c.sentence, "reasons": v.reasons, "similarity": v.similarity}
                   for c, v in zip(cases, verdicts) if v.supported != c.supported],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", help="MultiHop-RAG corpus.json (e.g. evals/data/corpus.json)")
    parser.add_argument("-n", type=int, default=200, help="sentences to sample")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--references",
                        help="optional CNN/DailyMail references file (evals/data/cnndm_frank_validation.json)")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON (with the errors)")
    args = parser.parse_args(argv)
    result = run(args.corpus, args.n, args.seed, args.threshold, references_path=args.references)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['n_sentences']} sentences, cases {result['cases']}, threshold {args.threshold}, "
          f"{result['sentences_per_second']} checks/s")
    for label in ("facts", "inside", "all"):
        s = result[label]
        print(f"{label:>5}: precision {s['precision']:.3f}  recall {s['recall']:.3f}  F1 {s['f1']:.3f}  "
              f"true accept {s['true_accept_rate']:.3f}")
    print("accept rate by kind:", ", ".join(f"{k} {v:.3f}" for k, v in result["accept_rate_by_kind"].items()))
    print("threshold sweep (all kinds):")
    for row in result["sweep"]:
        print(f"  {row['threshold']:.2f}: P {row['precision']:.3f} R {row['recall']:.3f} F1 {row['f1']:.3f} "
              f"true accept {row['true_accept_rate']:.3f}  wrong-article by similarity alone "
              f"{row['citation_by_similarity_alone']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
