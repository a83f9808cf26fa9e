"""``assistant ask`` through the real CLI entry point: the --json contract, --batch, terminal output."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.cli.main import main

QUESTION = "What is the European Union exploring with India on security and defence?"


def test_json_contract(built_index: Path, capsys) -> None:
    assert main(["--index", str(built_index), "--llm", "none", "ask", QUESTION, "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert list(data) == ["question", "answer", "abstained", "sentences", "sources", "llm", "prompt_version"]
    assert data["question"] == QUESTION and data["llm"] == "none" and data["abstained"] is False
    for s in data["sentences"]:
        assert set(s) == {"text", "citations", "supported"}
        assert all(1 <= n <= len(data["sources"]) for n in s["citations"])
    for n, src in enumerate(data["sources"], 1):
        assert src["n"] == n and set(src) == {"n", "chunk_id", "title", "source", "published_at", "url", "text",
                                                "also_reported_by"}


def test_batch_json_one_line_per_question(built_index: Path, tmp_path: Path, capsys) -> None:
    batch = tmp_path / "qs.txt"
    batch.write_text(f"{QUESTION}\n\nWhat did a Bloomberg article say about Apple?\n")
    assert main(["ask", "--batch", str(batch), "--json", "--index", str(built_index), "--llm", "none"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["question"] for r in rows] == [QUESTION, "What did a Bloomberg article say about Apple?"]
    assert rows[0]["abstained"] is False and rows[1]["abstained"] is True


def test_batch_accepts_multihop_queries_json(built_index: Path, capsys) -> None:
    queries = Path(__file__).parent / "data" / "mini_queries.json"
    assert main(["--index", str(built_index), "--llm", "none", "ask", "--batch", str(queries), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 4
    assert rows[3]["abstained"] is True  # the null query


def test_terminal_output_has_answer_then_sources(built_index: Path, capsys) -> None:
    assert main(["--index", str(built_index), "--llm", "none", "ask", QUESTION, "--since", "2025-01-01"]) == 0
    out = capsys.readouterr().out
    answer, _, sources = out.partition("\nSources:\n")
    assert "[1]" in answer
    assert sources.startswith("[1] EU explores security and defence pact with India")


def test_question_and_batch_together_is_a_user_error(built_index: Path, tmp_path: Path, capsys) -> None:
    batch = tmp_path / "qs.txt"
    batch.write_text("q\n")
    assert main(["--index", str(built_index), "--llm", "none", "ask", "x", "--batch", str(batch)]) == 1
    assert "either a query or --batch" in capsys.readouterr().err
