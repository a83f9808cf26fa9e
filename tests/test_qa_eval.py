"""``assistant eval qa``: the pure scoring parts, the response cache, and one small real run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import MINI_CORPUS, make_settings
from test_answer import ScriptedModel

from assistant.evals.qa_eval import CachedChatModel, run_qa_eval, spread, summarise

DATA = Path(__file__).parent / "data"


def test_spread_takes_types_round_robin() -> None:
    items = [{"question_type": t, "n": i} for i, t in enumerate("aaaabbbc")]
    got = spread(items, 5)
    assert [x["question_type"] for x in got] == ["a", "b", "c", "a", "b"]
    assert spread(items, None) == items and spread(items, 100) == items


def test_cache_answers_repeated_requests_from_disk(tmp_path: Path) -> None:
    inner = ScriptedModel().enqueue("first [1].", "second [1].")
    model = CachedChatModel(inner, tmp_path)
    ask = [{"role": "user", "content": "q"}]
    assert model.complete(ask, max_tokens=8, temperature=0.0) == "first [1]."
    assert model.complete(ask, max_tokens=8, temperature=0.0) == "first [1]."
    assert (model.hits, model.misses) == (1, 1) and len(inner.sent) == 1
    assert model.complete(ask, max_tokens=9, temperature=0.0) == "second [1]."  # other parameters, other key
    assert model.name == inner.name and len(list(tmp_path.glob("*.json"))) == 2


def _row(qtype: str, accuracy: float, abstained: float) -> dict:
    return {"question_type": qtype, "accuracy": accuracy, "abstained": abstained, "citation_recall": None,
            "citation_precision": None, "dropped_share": None, "unverified_shown": 0, "seconds": 1.0, "route": "x"}


def test_abstention_precision_recall_and_false_abstention() -> None:
    rows = [_row("null_query", 1.0, 1.0), _row("null_query", 0.0, 0.0), _row("inference_query", 0.0, 1.0),
            _row("inference_query", 1.0, 0.0), _row("inference_query", 1.0, 0.0), _row("comparison_query", 0.0, 0.0)]
    overall = summarise(rows)["overall"]
    assert overall["abstention_precision"] == pytest.approx(0.5)
    assert overall["abstention_recall"] == pytest.approx(0.5)
    assert overall["false_abstention"] == pytest.approx(0.25)
    assert overall["answerable_accuracy"] == pytest.approx(0.5)
    assert overall["accuracy"] == pytest.approx(0.5)
    assert overall["model_kept"] is None  # no model drafted any of them


def test_model_kept_counts_only_the_answers_a_model_drafted() -> None:
    from assistant.evals.metrics import model_kept_share

    rows = [{"drafted": True, "model_kept": True}, {"drafted": True, "model_kept": False},
            {"drafted": True, "model_kept": True}, {"drafted": False, "model_kept": False}]
    assert model_kept_share(rows) == pytest.approx(2 / 3)


def test_small_real_run_writes_the_report(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ASSISTANT_EVAL_CACHE", str(tmp_path / "eval-cache"))
    out = run_qa_eval(make_settings(tmp_path / "unused", **{"llm.spec": "none"}), DATA / "mini_queries.json",
                      MINI_CORPUS, tmp_path / "run", limit=4)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["overall"]["n"] == 4
    assert set(metrics["by_type"]) == {"comparison_query", "inference_query", "null_query", "temporal_query"}
    assert metrics["overall"]["unverified_shown"] == 0
    assert metrics["by_type"]["null_query"]["accuracy"] == 1.0  # the made-up null query is abstained on
    items = [json.loads(line) for line in (out / "items.jsonl").read_text().splitlines()]
    assert len(items) == 4 and all("answer" in i and "seconds" in i for i in items)
    assert (out / "report.md").read_text().startswith("# MultiHop-RAG answer quality")
    assert (out / "chart.png").stat().st_size > 1000
