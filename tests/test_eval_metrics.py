"""The MultiHop-RAG retrieval metric on hand-made cases with exact numbers, and the QA helpers."""

from __future__ import annotations

import pytest

from assistant.evals.metrics import (
    RETRIEVAL_METRIC_KEYS,
    answer_correct,
    group_means,
    latency_summary,
    normalise_answer,
    retrieval_metrics,
    score_query,
)

A = "Alpha rose sharply."
B = "Beta fell again."
C = "Gamma held steady."
NOISE = "Nothing relevant here."

# Expected: Hits@10, Hits@4, MRR@10, MAP@10, AllEvidence@10, EvidenceRecall@10
CASES = [
    pytest.param([A], [f"x {A} y"], (1, 1, 1, 1, 1, 1), id="one-fact-rank-1"),
    pytest.param([A], [NOISE, NOISE, A], (1, 1, 1 / 3, 1 / 3, 1, 1), id="one-fact-rank-3"),
    pytest.param([A], [NOISE] * 4 + [A], (1, 0, 0.2, 0.2, 1, 1), id="rank-5-misses-hits-at-4"),
    pytest.param([A], [NOISE] * 9 + [A], (1, 0, 0.1, 0.1, 1, 1), id="rank-10-still-counts"),
    pytest.param([A], [NOISE] * 10 + [A], (0, 0, 0, 0, 0, 0), id="rank-11-ignored"),
    pytest.param([A], [], (0, 0, 0, 0, 0, 0), id="nothing-retrieved"),
    pytest.param([A, B], [NOISE, f"{A} {B}"], (1, 1, 0.5, 0.5, 1, 1), id="two-facts-in-one-chunk"),
    pytest.param([A, B], [A, NOISE, B], (1, 1, 1, (1 + 1 / 3) / 2, 1, 1), id="two-facts-ranks-1-and-3"),
    pytest.param([A, B, C], [NOISE, A], (1, 1, 0.5, 0.5 / 3, 0, 1 / 3), id="one-of-three-found"),
    pytest.param([A, B], [A, A, B], (1, 1, 1, (1 + 0 + 1 / 3) / 2, 1, 1), id="duplicate-chunk-adds-nothing"),
    # Published code: duplicates stay in the denominator min(len(gold), 10) but are found once.
    pytest.param([A, A], [A], (1, 1, 1, 0.5, 1, 1), id="duplicate-gold-fact-halves-map"),
    pytest.param([A, B], [f"{B} {A}", A, B], (1, 1, 1, 1, 1, 1), id="all-found-at-rank-1-then-repeats"),
    pytest.param(["Alpha  rose\nsharply."], ["Alpharose sharply. And more"], (1, 1, 1, 1, 1, 1), id="spaces-newlines-removed"),
    pytest.param([A], ["Alpha\nrose\n\nsharply."], (1, 1, 1, 1, 1, 1), id="newlines-in-chunk"),
    # Only " " and "\n" are removed, exactly as published: tabs, CR and NBSP still differ.
    pytest.param(["Alpha\trose sharply."], [A], (0, 0, 0, 0, 0, 0), id="tab-not-removed"),
    pytest.param([A], ["Alpha\u00a0rose sharply."], (0, 0, 0, 0, 0, 0), id="nbsp-not-removed"),
    pytest.param([A], ["alpha rose sharply."], (0, 0, 0, 0, 0, 0), id="case-sensitive"),
    # min(#gold, 10): with 12 facts in one top chunk the published MAP exceeds 1.
    pytest.param([f"fact number {i}." for i in range(12)], [" ".join(f"fact number {i}." for i in range(12))],
                 (1, 1, 1, 1.2, 1, 1), id="more-than-10-facts-published-quirk"),
]


@pytest.mark.parametrize(("gold", "retrieved", "expected"), CASES)
def test_score_query(gold: list[str], retrieved: list[str], expected: tuple[float, ...]) -> None:
    scores = score_query(gold, retrieved)
    assert [scores[k] for k in RETRIEVAL_METRIC_KEYS] == pytest.approx(list(expected))


def test_first_relevant_rank_is_reported() -> None:
    assert score_query([A], [NOISE, A])["first_relevant_rank"] == 2
    assert score_query([A], [NOISE])["first_relevant_rank"] is None


def test_retrieval_metrics_skips_null_and_goldless_and_groups_by_type() -> None:
    items = [
        {"question_type": "comparison_query", "gold": [A, B], "retrieved": [A, NOISE, B]},  # MAP 2/3, MRR 1
        {"question_type": "comparison_query", "gold": [A], "retrieved": [NOISE] * 10 + [A]},  # all 0
        {"question_type": "inference_query", "gold": [C], "retrieved": [NOISE, NOISE, NOISE, NOISE, C]},
        {"question_type": "null_query", "gold": [], "retrieved": [A]},
        {"question_type": "null_query", "gold": [A], "retrieved": [A]},  # skipped by type, gold or not
        {"question_type": "unknown", "gold": [], "retrieved": [A]},
    ]
    result = retrieval_metrics(items)
    assert result["counts"] == {"items": 6, "evaluated": 3, "skipped_null": 2, "skipped_no_gold": 1}
    overall = result["overall"]
    assert overall["n"] == 3
    assert overall["Hits@10"] == pytest.approx(2 / 3)
    assert overall["Hits@4"] == pytest.approx(1 / 3)
    assert overall["MRR@10"] == pytest.approx((1 + 0 + 0.2) / 3)
    assert overall["MAP@10"] == pytest.approx(((1 + 1 / 3) / 2 + 0 + 0.2) / 3)
    assert overall["AllEvidence@10"] == pytest.approx(2 / 3)
    assert set(result["by_type"]) == {"comparison_query", "inference_query"}
    comparison = result["by_type"]["comparison_query"]
    assert comparison["n"] == 2
    assert comparison["Hits@10"] == pytest.approx(0.5)
    assert comparison["MRR@10"] == pytest.approx(0.5)
    assert result["by_type"]["inference_query"]["Hits@4"] == 0.0


def test_retrieval_metrics_with_nothing_to_score() -> None:
    result = retrieval_metrics([{"question_type": "null_query", "gold": [], "retrieved": []}])
    assert result["overall"]["n"] == 0
    assert result["overall"]["Hits@10"] is None
    assert result["by_type"] == {}


def test_group_means_ignores_missing_values() -> None:
    rows = [
        {"question_type": "a", "accuracy": 1.0, "latency": None},
        {"question_type": "a", "accuracy": 0.0, "latency": 2.0},
        {"accuracy": True},
    ]
    result = group_means(rows, ["accuracy", "latency"])
    assert result["overall"] == {"n": 3, "accuracy": pytest.approx(2 / 3), "latency": 2.0}
    assert result["by_type"]["a"] == {"n": 2, "accuracy": 0.5, "latency": 2.0}
    assert result["by_type"]["unknown"]["n"] == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Yes", "yes", id="case"),
        pytest.param("  The Federal-Reserve’s  view! ", "federal reserve s view", id="articles-punct-curly"),
        pytest.param("Sam Bankman-Fried", "sam bankman fried", id="hyphen-to-space"),
        pytest.param("Insufficient information.", "insufficient information", id="abstention"),
        pytest.param("", "", id="empty"),
    ],
)
def test_normalise_answer(text: str, expected: str) -> None:
    assert normalise_answer(text) == expected


@pytest.mark.parametrize(
    ("predicted", "gold", "question_type", "abstained", "expected"),
    [
        pytest.param("Yes", "Yes", "comparison_query", False, True, id="yes-yes"),
        pytest.param("yes, both outlets report it [1][2].", "Yes", "comparison_query", False, True, id="yes-sentence"),
        pytest.param("No.", "no", "temporal_query", False, True, id="no-lowercase-gold"),
        pytest.param("Yes", "no", "temporal_query", False, False, id="wrong-polarity"),
        pytest.param("Based on the passages, no, it did not.", "no", "comparison_query", False, True, id="polarity-later"),
        pytest.param("The report shows no change, so yes.", "Yes", "comparison_query", False, False, id="mixed-polarity"),
        pytest.param("Not really.", "no", "comparison_query", False, False, id="no-polarity-word"),
        pytest.param("Yes", "True", "comparison_query", False, True, id="true-as-yes"),
        pytest.param("Sam Bankman-Fried", "Sam Bankman-Fried", "inference_query", False, True, id="entity-exact"),
        pytest.param("It was sam bankman fried [2].", "Sam Bankman-Fried", "inference_query", False, True, id="entity-in-sentence"),
        pytest.param("Bankman-Fried", "Sam Bankman-Fried", "inference_query", False, False, id="entity-partial"),
        pytest.param("The Federal Reserve", "Federal Reserve", "inference_query", False, True, id="entity-article"),
        pytest.param("Googleplex", "Google", "inference_query", False, False, id="entity-whole-words"),
        pytest.param("Insufficient information.", "Insufficient information.", "null_query", False, True, id="null-abstains"),
        pytest.param("", "Insufficient information.", "null_query", False, True, id="null-empty-answer"),
        pytest.param("It is unclear.", "Insufficient information.", "null_query", True, True, id="null-abstained-flag"),
        pytest.param("Yes", "Insufficient information.", "null_query", False, False, id="null-answered"),
        pytest.param("Insufficient information.", "Yes", "comparison_query", False, False, id="abstain-on-answerable"),
        pytest.param("Google", "Google", "inference_query", True, False, id="abstained-flag-on-answerable"),
        pytest.param(None, "Google", "inference_query", False, False, id="no-answer"),
    ],
)
def test_answer_correct(predicted: str | None, gold: str, question_type: str, abstained: bool, expected: bool) -> None:
    assert answer_correct(predicted, gold, question_type, abstained=abstained) is expected


def test_latency_summary() -> None:
    summary = latency_summary([0.4, 0.1, 0.3, 0.2])
    assert summary["p50_ms"] == pytest.approx(250.0)
    assert summary["p95_ms"] == pytest.approx(385.0)
    assert summary["mean_ms"] == pytest.approx(250.0)
    assert latency_summary([1.5]) == {"p50_ms": 1500.0, "p95_ms": 1500.0, "mean_ms": 1500.0}
    assert latency_summary([]) == {"p50_ms": None, "p95_ms": None, "mean_ms": None}
