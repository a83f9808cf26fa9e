"""Run folders (metrics.json, report.md, chart.png), baselines, and the dataset loaders they name."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from assistant.core.errors import InputError
from assistant.evals.datasets import file_hash, load_brief_dataset, load_queries
from assistant.evals.report import load_baseline, run_meta, write_report

DATA = Path(__file__).parent / "data"
EVAL_DATA = Path(__file__).resolve().parents[1] / "evals" / "data"
KEYS = ["Hits@10", "MRR@10"]


def metrics(hits: float, mrr: float) -> dict:
    """A metrics dict in the harness shape with two question types."""
    return {
        "overall": {"n": 4, "Hits@10": hits, "MRR@10": mrr},
        "by_type": {
            "comparison_query": {"n": 2, "Hits@10": hits - 0.125, "MRR@10": mrr},
            "inference_query": {"n": 2, "Hits@10": hits + 0.125, "MRR@10": mrr},
        },
    }


@pytest.fixture
def meta(tmp_path: Path) -> dict:
    dataset = tmp_path / "queries.json"
    dataset.write_text('[{"query": "q"}]', encoding="utf-8")
    return run_meta(dataset, settings_hash="abc123", started_at="2024-01-01T00:00:00+00:00")


def assert_real_png(path: Path) -> None:
    import matplotlib.image

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 5_000
    pixels = matplotlib.image.imread(path)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 300
    assert pixels.std() > 0.01  # not one flat colour


def test_run_meta_names_the_dataset(meta: dict, tmp_path: Path) -> None:
    assert meta["dataset"]["name"] == "queries.json"
    assert meta["dataset"]["sha256"] == file_hash(tmp_path / "queries.json")
    assert meta["settings_hash"] == "abc123"
    assert meta["started_at"] == "2024-01-01T00:00:00+00:00"
    assert "git_commit" in meta


def test_single_variant_writes_all_three_files(tmp_path: Path, meta: dict) -> None:
    out = write_report(tmp_path / "run", "Retrieval", {"bm25": metrics(0.75, 0.5)}, "bm25", None, meta, KEYS)
    data = json.loads((out / "metrics.json").read_text())
    assert data["overall"]["Hits@10"] == 0.75
    assert data["main_variant"] == "bm25"
    assert data["meta"]["settings_hash"] == "abc123"
    assert data["meta"]["dataset"]["sha256"] == meta["dataset"]["sha256"]
    assert data["meta"]["finished_at"]
    report = (out / "report.md").read_text()
    assert report.startswith("# Retrieval\n")
    assert "| bm25 | 4 | 0.7500 | 0.5000 |" in report
    assert "| comparison_query | 2 | 0.6250 | 0.5000 |" in report
    assert "abc123" in report
    assert "(main)" not in report and "all variants" not in report
    assert ">" not in report  # no caveats given, none shown
    assert_real_png(out / "chart.png")
    again = write_report(tmp_path / "noted", "Retrieval", {"bm25": metrics(0.75, 0.5)}, "bm25", None, meta, KEYS,
                         notes=["trained on these questions"])
    assert "\n> trained on these questions\n" in (again / "report.md").read_text()


def test_variants_and_baseline(tmp_path: Path, meta: dict) -> None:
    old = write_report(tmp_path / "old", "Retrieval", {"bm25": metrics(0.5, 0.25)}, "bm25", None, meta, KEYS)
    baseline = load_baseline(old)
    assert baseline["name"] == "old/bm25"
    assert baseline["overall"]["Hits@10"] == 0.5

    variants = {"dense": metrics(0.375, 0.25), "bm25": metrics(0.5, 0.25), "hybrid+qu": metrics(0.75, 0.5)}
    out = write_report(
        tmp_path / "new", "Retrieval", variants, "hybrid+qu", baseline, meta, KEYS,
        references={"published best": {"Hits@10": 0.7467, "MRR@10": 0.586}},
    )
    report = (out / "report.md").read_text()
    assert "| **hybrid+qu** (main) | 4 | 0.7500 | 0.5000 |" in report
    assert "| dense | 4 | 0.3750 | 0.2500 |" in report
    assert "| published best (reference) | – | 0.7467 | 0.5860 |" in report
    assert "| baseline: old/bm25 | 4 | 0.5000 | 0.2500 |" in report
    assert "| Δ hybrid+qu − baseline |  | +0.2500 | +0.2500 |" in report
    # per type: value, baseline value, delta for each metric
    assert "| inference_query | 2 | 0.8750 | 0.6250 | +0.2500 | 0.5000 | 0.2500 | +0.2500 |" in report
    assert "### MRR@10" in report
    data = json.loads((out / "metrics.json").read_text())
    assert set(data["variants"]) == set(variants)
    assert data["baseline"]["overall"]["Hits@10"] == 0.5
    assert_real_png(out / "chart.png")
    # A run folder is itself a valid baseline for the next run.
    assert load_baseline(out / "metrics.json")["overall"]["Hits@10"] == 0.75


def test_generic_metric_keys_with_missing_values(tmp_path: Path, meta: dict) -> None:
    qa = {
        "overall": {"n": 3, "accuracy": 2 / 3, "p50_ms": 1234.5},
        "by_type": {"null_query": {"n": 3, "accuracy": 2 / 3, "p50_ms": None}},
    }
    out = write_report(tmp_path / "qa", "QA", {"extractive": qa}, "extractive", None, meta, ["accuracy", "p50_ms"])
    report = (out / "report.md").read_text()
    assert "| extractive | 3 | 0.6667 | 1234.5 |" in report
    assert "| null_query | 3 | 0.6667 | – |" in report
    assert_real_png(out / "chart.png")


def test_unknown_main_variant_is_a_bug(tmp_path: Path, meta: dict) -> None:
    with pytest.raises(ValueError, match="main variant"):
        write_report(tmp_path, "x", {"a": metrics(0.5, 0.5)}, "b", None, meta, KEYS)


def test_load_baseline_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no metrics.json"):
        load_baseline(tmp_path)
    (tmp_path / "metrics.json").write_text("{\n  oops", encoding="utf-8")
    with pytest.raises(InputError, match="line 2, column 3"):
        load_baseline(tmp_path)
    (tmp_path / "metrics.json").write_text('{"accuracy": 1}', encoding="utf-8")
    with pytest.raises(InputError, match="no 'overall' block"):
        load_baseline(tmp_path)


# --- datasets -------------------------------------------------------------------------------


def test_load_mini_queries() -> None:
    items = load_queries(DATA / "mini_queries.json")
    assert [i["question_type"] for i in items] == ["temporal_query", "inference_query", "comparison_query", "null_query"]
    assert items[1]["answer"] == "Skyforge"
    assert items[1]["gold"][0] == "Skyforge began shipping its solar-powered delivery drone on Monday."
    assert items[3]["gold"] == []
    assert len({i["id"] for i in items}) == 4
    assert load_queries(DATA / "mini_queries.json")[0]["id"] == items[0]["id"]


def test_load_shipped_multihop_queries() -> None:
    items = load_queries(EVAL_DATA / "queries_public.json")
    assert len(items) == 511
    assert sum(i["question_type"] == "null_query" for i in items) == 58
    assert all(i["gold"] for i in items if i["question_type"] != "null_query")


def test_load_text_queries(tmp_path: Path) -> None:
    path = tmp_path / "queries.txt"
    path.write_text("\ufeffWhat did Fortune report?\n\n  Who runs OpenAI?  \n", encoding="utf-8")
    items = load_queries(path)
    assert [i["query"] for i in items] == ["What did Fortune report?", "Who runs OpenAI?"]
    assert all(i["question_type"] == "unknown" and i["gold"] == [] and i["answer"] is None for i in items)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("q.json", '[\n  {"query": "a",}\n]', r"q\.json: invalid JSON at line 2, column 17: Expecting property name", id="json-syntax"),
        pytest.param("q.jsonl", '{"query": "a"}\n\n{"query": "b"\n', r"line 3, column 14", id="jsonl-line"),
        pytest.param("q.json", '[{"query": "a"}, {"answer": "Yes"}]', r"item 2 has no 'query' text", id="missing-query"),
        pytest.param("q.json", "[1]", r"item 1 is int", id="not-object"),
        pytest.param("q.json", '[{"query": "a", "evidence_list": {"fact": "x"}}]', r"'evidence_list' is not a list", id="evidence-not-list"),
        pytest.param("q.json", '[{"query": "a", "evidence_list": [{"fact": " "}]}]', r"item 1, evidence 1 has no 'fact'", id="empty-fact"),
        pytest.param("q.json", "[]", r"no queries found", id="empty-list"),
        pytest.param("q.txt", "\n \n", r"no queries found", id="blank-text"),
    ],
)
def test_malformed_query_files(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        load_queries(path)
    assert "\n" not in str(caught.value)


def test_unreadable_query_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_queries(tmp_path / "missing.json")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9\n")
    with pytest.raises(InputError, match="not UTF-8"):
        load_queries(tmp_path / "latin1.txt")


def test_load_brief_dataset_forms(tmp_path: Path) -> None:
    path = tmp_path / "brief.jsonl"
    lines = [
        {"article": "One article body.", "summary": "Short."},
        {"documents": ["First text.", "Second text."], "reference": "Both.", "topic": "drones"},
        {"id": "given", "article": "Body.", "reference": "Ref."},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    items = load_brief_dataset(path)
    assert items[0]["documents"] == ["One article body."] and items[0]["reference"] == "Short."
    assert items[1]["documents"] == ["First text.", "Second text."] and items[1]["extra"] == {"topic": "drones"}
    assert items[2]["id"] == "given"
    assert items[0]["id"] == load_brief_dataset(path)[0]["id"] != items[1]["id"]


def test_load_shipped_cnndm() -> None:
    items = load_brief_dataset(EVAL_DATA / "cnndm_frank_validation.json")
    assert len(items) == 75
    assert items[0]["id"].startswith("dm-test-") and items[0]["extra"]["url"].startswith("http")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param('[{"article": "x"}]', "no 'reference' or 'summary'", id="no-reference"),
        pytest.param('[{"summary": "x"}]', "neither 'documents' nor 'article'", id="no-text"),
        pytest.param('[{"documents": [], "summary": "x"}]', "'documents' is empty", id="empty-documents"),
        pytest.param('[{"documents": ["a", 3], "summary": "x"}]', "list of non-empty texts", id="bad-documents"),
        pytest.param('{"article": "x", "summary": ', "invalid JSON at line 1", id="truncated"),
    ],
)
def test_malformed_brief_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "brief.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_brief_dataset(path)


def test_file_hash(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 3_000_000)
    assert file_hash(path) == hashlib.sha256(b"x" * 3_000_000).hexdigest()


@pytest.mark.slow
def test_brief_eval_scores_the_items_that_work_and_names_the_ones_that_fail(tmp_path: Path, monkeypatch) -> None:
    """One bad item never sinks the run: it is left out of the scores and named in the report; when every
    item fails there is nothing to report and the first reason says why."""
    import assistant.evals.brief_eval as brief_eval
    from assistant.core.settings import load_settings

    article = ("Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday. The former Hearts boss is "
               "given a three-year deal. Kilmarnock went unbeaten in Locke's first six games in charge.")
    data = tmp_path / "set.jsonl"
    data.write_text("\n".join(json.dumps({"id": name, "article": article, "summary": "Locke gets a three-year deal."})
                              for name in ("good", "bad")) + "\n")
    settings = load_settings(overrides={"index": str(tmp_path / "unused"), "llm.spec": "none"})
    real = brief_eval._brief

    def flaky(tools, item):
        if item["id"] == "bad":
            raise RuntimeError("the model fell over")
        return real(tools, item)

    monkeypatch.setattr(brief_eval, "_brief", flaky)
    out = brief_eval.run_brief_eval(settings, data, tmp_path / "run", progress=False)
    saved = json.loads((out / "metrics.json").read_text())
    assert saved["overall"]["n"] == 1 and saved["variants"]["lead-3 (same run)"]["overall"]["n"] == 1
    assert saved["meta"]["items"] == 2
    assert saved["meta"]["failed"] == [{"id": "bad", "reason": "RuntimeError: the model fell over"}]
    assert [json.loads(line)["id"] for line in (out / "items.jsonl").read_text().splitlines()] == ["good"]
    assert "1 item(s) failed and are not scored:\n- `bad`: RuntimeError: the model fell over" in (out / "report.md").read_text()

    def broken(tools, item):
        raise ValueError("no text")

    monkeypatch.setattr(brief_eval, "_brief", broken)
    with pytest.raises(InputError, match="every item failed; first reason: ValueError: no text"):
        brief_eval.run_brief_eval(settings, data, tmp_path / "run2", progress=False)


def test_main_variant_table_lists_only_its_own_types(tmp_path: Path, meta: dict) -> None:
    other = metrics(0.5, 0.25)
    other["by_type"] = {"negation": {"n": 3, "Hits@10": 0.5}}
    out = write_report(tmp_path / "run", "Verifier", {"frank": metrics(0.75, 0.5), "perturbations": other},
                       "frank", None, meta, KEYS)
    report = (out / "report.md").read_text()
    main_table, all_variants = report.split("## By question type: all variants")
    assert "| comparison_query |" in main_table and "| negation |" not in main_table
    assert "| negation |" in all_variants
