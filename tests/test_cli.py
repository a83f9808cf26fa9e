"""The CLI as a user runs it: fast help, JSON contracts, one-line errors, global options anywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_help_is_light() -> None:
    """--help must not import the heavy libraries (start-up stays well under a second)."""
    code = ("import sys; from assistant.cli.main import build_parser; build_parser().format_help(); "
            "print(sorted(m for m in ('chromadb','llama_index','llama_cpp','openai','onnxruntime','numpy') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    for command in ("ingest", "retrieve", "ask", "brief", "chat", "eval", "index", "config"):
        assert run(command, "--help").returncode == 0


def test_usage_error_exits_2() -> None:
    assert run("retrieve", "--k", "many").returncode == 2


def test_missing_path_is_named_with_its_reason_exit_1(tmp_path: Path) -> None:
    proc = run("--index", str(tmp_path / "i"), "ingest", str(tmp_path / "missing.txt"))
    assert proc.returncode == 1
    assert proc.stderr == (f"skipped {tmp_path / 'missing.txt'}: no such file or folder\n"
                           "assistant: error: nothing usable was ingested (see the reasons above)\n")


@pytest.mark.slow
def test_ingest_retrieve_stats_json_contracts(tmp_path: Path) -> None:
    index = str(tmp_path / "i")
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    # global options after the subcommand work too
    proc = run("ingest", str(SAMPLE), str(bad), "--json", "--index", index)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["added"] == 1 and summary["updated"] == 0 and summary["unchanged"] == 0
    assert summary["skipped"] == [{"path": str(bad), "reason": "malformed JSON at line 1, column 6: Expecting ',' delimiter"}]

    queries = tmp_path / "q.txt"
    queries.write_text("Who announced the EU defence partnership?\nWhat did Sanjay Seth discuss?\n")
    proc = run("--index", index, "retrieve", "--batch", str(queries), "--k", "2", "--json")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["query"] for line in lines] == queries.read_text().splitlines()
    first = lines[0]["results"][0]
    assert set(first) == {"rank", "score", "text", "chunk_id", "article"}
    assert set(first["article"]) == {"id", "title", "source", "published_at", "url"}
    assert first["rank"] == 1 and first["article"]["published_at"] == "2025-02-28"
    assert any("Kubilius" in r["text"] for r in lines[1]["results"])

    stats = json.loads(run("--index", index, "index", "stats", "--json").stdout)
    assert stats["articles"] == 1 and stats["chunks"] >= 2 and stats["date_range"] == ["2025-02-28", "2025-02-28"]
    listing = run("--index", index, "index", "list")
    assert "EU explores security and defence pact with India" in listing.stdout

    proc = run("--index", index, "ingest", str(bad))
    assert proc.returncode == 1 and "nothing usable" in proc.stderr

    proc = run("--index", index, "retrieve", "defence", "--source", "Nonexistent Times")
    assert proc.returncode == 1 and "no outlet called 'Nonexistent Times'" in proc.stderr


def test_empty_index_says_how_to_fix(tmp_path: Path) -> None:
    proc = run("--index", str(tmp_path / "empty"), "retrieve", "anything")
    assert proc.returncode == 1 and "assistant ingest" in proc.stderr
