"""``assistant eval qa --dataset DIR``: answers on news the project was not shaped on (the RealTime QA layout).

``DIR/questions.jsonl`` holds ``id, query, choices, answer, gold, question_date, doc_urls`` (the ten search
results the benchmark's baselines read); ``DIR/corpus.jsonl`` holds those results as articles. The corpus is
ingested once into a cached eval index; each question is asked as of its ``question_date`` (nothing
published after it is read). Scores:

* gold contained: a gold choice's text occurs in the answer (SQuAD normalisation), over the questions whose
  ten results contain it ("answerable") and over all;
* best choice: the choice with the highest token F1 against the answer is a gold one;
* abstention on the questions whose results lack the gold text, and false abstention on the answerable ones;
  "answerable in time": the gold text in a result published in the question's week (``RECENT_DAYS`` up to
  the question date) — a news quiz asks about that week, so an answer found only in older reports is one the
  assistant's time constraint rightly refuses; contained and false abstention are reported over those too;
* answer recall of retrieval: the gold text in the top 5 / 10 passages the assistant retrieves, over all
  questions and over the answerable ones (``bench/bench_news_retrieval.py`` measures it without answering);
* p50/p95 seconds per answer.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.settings import Settings
from .datasets import _parse_jsonl, _read_text
from .metrics import latency_summary, model_kept_share, normalise_answer
from .report import run_meta, write_report

METRIC_KEYS = ["contained", "best_choice", "abstained", "gold_in_top5", "gold_in_top10"]
OVERALL_EXTRA = ["contained_answerable", "abstention_unanswerable", "false_abstention", "answerable_share",
                 "answerable_in_time_share", "contained_in_time", "false_abstention_in_time",
                 "abstention_not_in_index",
                 "gold_in_top5_answerable", "gold_in_top10_answerable", "model_kept", "p50_ms", "p95_ms"]
REFERENCES = {"frontier models reading the same ten results, lowest (issue #18)": {"contained_answerable": 0.57},
              "frontier models reading the same ten results, highest (issue #18)": {"contained_answerable": 0.73}}


RECENT_DAYS = 7
"""Days up to a question's date in which a result counts as that week's report ("answerable in time")."""


def load_news(folder: str | Path) -> tuple[list[dict[str, Any]], dict[str, str], Path]:
    """The questions, each article's normalised text by URL, and the corpus path."""
    root = Path(folder)
    questions_path, corpus_path = root / "questions.jsonl", root / "corpus.jsonl"
    questions = _parse_jsonl(questions_path, _read_text(questions_path))
    texts = {}
    for record in _parse_jsonl(corpus_path, _read_text(corpus_path)):
        if isinstance(record, dict) and record.get("url"):
            texts[record["url"]] = normalise_answer(f"{record.get('title') or ''} {record.get('text') or ''}")
    for n, q in enumerate(questions, 1):
        if not isinstance(q, dict) or not q.get("query") or not q.get("gold") or not q.get("question_date"):
            raise InputError(f"{questions_path}: item {n} needs 'query', 'gold' and 'question_date'")
    return questions, texts, corpus_path


def contains(text: str, golds: list[str]) -> bool:
    """A gold text as a whole-word phrase of ``text`` (both SQuAD-normalised)."""
    padded = f" {normalise_answer(text)} "
    return any(f" {normalise_answer(g)} " in padded for g in golds if normalise_answer(g))


def token_f1(a: str, b: str) -> float:
    x, y = normalise_answer(a).split(), normalise_answer(b).split()
    common = sum((Counter(x) & Counter(y)).values())
    if not common:
        return 0.0
    p, r = common / len(x), common / len(y)
    return 2 * p * r / (p + r)


def result_days(corpus_path: Path) -> dict[str, str]:
    """Each result's publication day (ISO) by URL."""
    records = _parse_jsonl(corpus_path, _read_text(corpus_path))
    return {r["url"]: str(r.get("published_at") or "")[:10] for r in records if isinstance(r, dict) and r.get("url")}


def _recent(published: str, asked: date) -> bool:
    try:
        return 0 <= (asked - date.fromisoformat(published)).days <= RECENT_DAYS
    except ValueError:
        return False


def _in_index(texts: dict[str, str], days: dict[str, str], golds: list[str], asked: date) -> bool:
    """Whether a gold text is in an article of the index published by ``asked`` (texts are normalised)."""
    wanted = [f" {normalise_answer(g)} " for g in golds if normalise_answer(g)]
    return any(day <= asked.isoformat() and any(w in f" {texts.get(u, '')} " for w in wanted)
               for u, day in days.items())


def score_item(answerer, item: dict[str, Any], texts: dict[str, str], days: dict[str, str]) -> dict[str, Any]:
    """Ask one question as of its date and score the answer and the retrieval behind it."""
    golds = [str(g) for g in item["gold"]]
    asked = date.fromisoformat(str(item["question_date"])[:10])
    answerer.retriever.as_of = asked
    started = time.perf_counter()
    answer = answerer.ask(item["query"])
    seconds = time.perf_counter() - started
    passages = answerer.retriever.search(item["query"], k=10)
    holding = [days.get(u, "") for u in item.get("doc_urls") or [] if contains(texts.get(u, ""), golds)]
    in_results = bool(holding)
    shown = "" if answer.abstained else answer.answer
    choices = [str(c) for c in item.get("choices") or []]
    best = max(range(len(choices)), key=lambda i: token_f1(shown, choices[i])) if choices and shown else None
    return {
        "id": item.get("id"), "query": item["query"], "gold": golds, "question_date": item["question_date"],
        "question_type": "answerable" if in_results else "unanswerable",
        "in_time": float(any(_recent(day, asked) for day in holding)),
        "in_index": float(_in_index(texts, days, golds, asked)),
        "answer": answer.answer,
        "route": answer.route, "reason": answer.reason, "abstained": float(answer.abstained),
        "contained": float(contains(shown, golds)),
        "best_choice": float(best is not None and str(best) in {str(a) for a in item.get("answer") or []}),
        "gold_in_top5": float(any(contains(f"{p.article.title} {p.text}", golds) for p in passages[:5])),
        "gold_in_top10": float(any(contains(f"{p.article.title} {p.text}", golds) for p in passages[:10])),
        "unverified_shown": sum(1 for s in answer.sentences if not s.supported) if not answer.abstained
        and answerer.settings.answer.show_unsupported else 0,
        "seconds": round(seconds, 3), "drafted": answer.drafted, "model_kept": answer.model_kept,
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from .metrics import group_means

    metrics = group_means(rows, METRIC_KEYS)
    answerable = [r for r in rows if r["question_type"] == "answerable"]
    unanswerable = [r for r in rows if r["question_type"] == "unanswerable"]

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    overall = metrics["overall"]
    overall["contained_answerable"] = mean([r["contained"] for r in answerable])
    overall["abstention_unanswerable"] = mean([r["abstained"] for r in unanswerable])
    overall["false_abstention"] = mean([r["abstained"] for r in answerable])
    overall["answerable_share"] = mean([float(r["question_type"] == "answerable") for r in rows])
    in_time = [r for r in answerable if r.get("in_time")]
    overall["answerable_in_time_share"] = mean([float(bool(r.get("in_time"))) for r in answerable])
    overall["contained_in_time"] = mean([r["contained"] for r in in_time])
    overall["false_abstention_in_time"] = mean([r["abstained"] for r in in_time])
    overall["abstention_not_in_index"] = mean([r["abstained"] for r in rows if not r.get("in_index", 1.0)])
    overall["gold_in_top5_answerable"] = mean([r["gold_in_top5"] for r in answerable])
    overall["gold_in_top10_answerable"] = mean([r["gold_in_top10"] for r in answerable])
    overall["unverified_shown"] = sum(r["unverified_shown"] for r in rows)
    overall["model_kept"] = model_kept_share(rows)
    overall.update(latency_summary([r["seconds"] for r in rows]))
    metrics["routes"] = dict(sorted(Counter(r["route"] for r in rows).items()))
    return metrics


def sub_corpus(corpus_path: Path, questions: list[dict[str, Any]]) -> Path:
    """The corpus cut to the chosen questions' search results, written into the eval cache (never the repo):
    a ``--limit`` run ingests only what its questions' results hold, and their haystack is those results."""
    from .eval_index import cache_root

    wanted = {u for q in questions for u in q.get("doc_urls") or []}
    lines = [line for line in _read_text(corpus_path).splitlines()
             if line.strip() and json.loads(line).get("url") in wanted]
    target = cache_root() / f"{corpus_path.parent.name}-{len(questions)}q-corpus.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def pick_questions(questions: list[dict[str, Any]], corpus_path: Path,
                   limit: int | None) -> tuple[list[dict[str, Any]], Path]:
    """All questions over the whole corpus, or ``limit`` of them spread over the weeks over their own results."""
    if not limit or limit >= len(questions):
        return questions, corpus_path
    chosen = [questions[i * len(questions) // limit] for i in range(limit)]
    return chosen, sub_corpus(corpus_path, chosen)


def run_news_eval(settings: Settings, folder: str | Path, out_dir: str | Path, limit: int | None = None) -> Path:
    """Answer every question of a RealTime-QA-layout folder (or ``limit`` of them spread over the file, searching
    only their results) and write the report."""
    from datetime import datetime, timezone

    from ..answer.answerer import Answerer
    from ..llm import make_llm
    from .eval_index import eval_settings
    from .in_sample import in_sample_notes, learned_models
    from .qa_eval import CachedChatModel

    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    questions, texts, corpus_path = load_news(folder)
    questions, corpus_path = pick_questions(questions, corpus_path, limit)
    days = result_days(corpus_path)
    scoped = eval_settings(settings, corpus_path)
    llm = make_llm(scoped)
    answerer = Answerer(scoped, llm=CachedChatModel(llm) if llm is not None else None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with (out / "items.jsonl").open("w", encoding="utf-8") as handle:
        for number, item in enumerate(questions, 1):
            rows.append(score_item(answerer, item, texts, days))
            handle.write(json.dumps(rows[-1], ensure_ascii=False) + "\n")
            handle.flush()
            if number % 20 == 0:
                print(f"  {number}/{len(questions)} answered", flush=True)
    metrics = summarise(rows)
    variant = f"llm={answerer.llm_name}"
    meta = run_meta(Path(folder) / "questions.jsonl", scoped.identity(), started_at=started_at,
                    corpus=str(corpus_path), llm=answerer.llm_name, prompt_version=answerer.prompt_version,
                    limit=limit, n=len(rows), routes=metrics["routes"])
    notes = in_sample_notes(learned_models(answerer), [q["query"] for q in questions])
    write_report(out, "Answers on news the project did not shape (RealTime QA layout)", {variant: metrics}, variant,
                 None, meta, METRIC_KEYS + OVERALL_EXTRA, chart_keys=["contained", "abstained", "gold_in_top5"],
                 references=REFERENCES, notes=notes)
    for note in notes:
        print(f"note: {note}")
    print(f"wrote {out}/report.md, metrics.json, chart.png, items.jsonl")
    return out
