"""``eval qa --dataset``: the RealTime QA layout, built here from the tests' own articles."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import MINI_CORPUS, make_settings

from assistant.evals.news_eval import contains, run_news_eval, token_f1


def test_contains_is_whole_words_after_squad_normalisation() -> None:
    assert contains("The EU chose Japan and South Korea.", ["south korea"])
    assert not contains("Koreans voted.", ["Korea"])
    assert contains("Nestle\u0301 said on Monday.", ["Nestl\u00e9"])  # a combining accent is the accented letter
    assert token_f1("Sam Bankman-Fried", "Bankman Fried") > token_f1("Sam Bankman-Fried", "Caroline Ellison")


def news_folder(tmp_path: Path) -> Path:
    """The tests' articles in the RealTime QA layout, with a question asked after them and one before."""
    articles = json.loads(MINI_CORPUS.read_text(encoding="utf-8"))
    folder = tmp_path / "news"
    folder.mkdir()
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as out:
        for a in articles:
            out.write(json.dumps({"url": a["url"], "title": a["title"], "text": a["body"], "source": a["source"],
                                  "author": a.get("author"), "published_at": a["published_at"]}) + "\n")
    urls = [a["url"] for a in articles]
    questions = [
        {"id": "q1", "query": "Which judge scolded Bankman-Fried?", "choices": ["Lewis Kaplan", "Amit Mehta"],
         "answer": ["0"], "gold": ["Lewis Kaplan"], "question_date": "2023-11-01", "doc_urls": urls},
        # asked before any article was published: nothing can be read, so the answer abstains
        {"id": "q2", "query": "Which judge scolded Bankman-Fried?", "choices": ["Lewis Kaplan", "Amit Mehta"],
         "answer": ["0"], "gold": ["Lewis Kaplan"], "question_date": "2023-09-01", "doc_urls": urls},
    ]
    (folder / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    return folder


def test_news_eval_asks_as_of_the_question_date(tmp_path: Path, monkeypatch) -> None:
    folder = news_folder(tmp_path)
    monkeypatch.setenv("ASSISTANT_EVAL_CACHE", str(tmp_path / "cache"))
    out = run_news_eval(make_settings(tmp_path / "unused", **{"llm.spec": "none"}), folder, tmp_path / "run")
    rows = [json.loads(line) for line in (out / "items.jsonl").read_text().splitlines()]
    assert rows[0]["contained"] == 1.0 and rows[0]["best_choice"] == 1.0 and rows[0]["gold_in_top10"] == 1.0
    assert rows[1]["abstained"] == 1.0 and rows[1]["gold_in_top10"] == 0.0
    # the gold is in reports of the week before q1's date, and only in reports after q2's
    assert rows[0]["in_time"] == 1.0 and rows[1]["in_time"] == 0.0
    assert rows[0]["in_index"] == 1.0 and rows[1]["in_index"] == 0.0  # nothing holding it is out by q2's date
    metrics = json.loads((out / "metrics.json").read_text())
    assert "contained_answerable" in json.dumps(metrics)
    # both questions are answerable (their results hold the gold); only the first can read them
    assert metrics["overall"]["gold_in_top10_answerable"] == 0.5
    assert metrics["overall"]["answerable_in_time_share"] == 0.5
    assert metrics["overall"]["false_abstention_in_time"] == 0.0
    assert metrics["overall"]["abstention_not_in_index"] == 1.0


def test_news_retrieval_bench_says_why_the_gold_is_not_in_the_top_5(tmp_path: Path, monkeypatch) -> None:
    """Retrieval alone: the question asked after the articles finds the gold; the one asked before them cannot,
    and the bench names the cause (every chunk holding it was published after the question's day)."""
    from bench.bench_news_retrieval import run

    from assistant.evals.eval_index import eval_settings
    from assistant.evals.news_eval import load_news
    from assistant.retrieve.retriever import Retriever

    questions, texts, corpus_path = load_news(news_folder(tmp_path))
    monkeypatch.setenv("ASSISTANT_EVAL_CACHE", str(tmp_path / "cache"))
    retriever = Retriever(eval_settings(make_settings(tmp_path / "unused"), corpus_path, progress=False))
    for rerank in (True, False):
        result = run(retriever, questions, texts, rerank)
        assert result["answerable"] == 2 and result["top5"] == 0.5 and result["top10"] == 0.5
        assert result["causes"] == {"top 5": 1, "only after the question's day": 1}
