"""``assistant verify`` and ``assistant check`` as a user runs them: JSON lines in order, one-line reasons for
bad input, exit codes 0 / 1 / 3, HTML with everything escaped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE

ARTICLE = SAMPLE.read_text(encoding="utf-8")
TRUE = "Kubilius is visiting India as a part of Von der Leyen's delegation."
WRONG_PERSON = "Sanjay Seth is visiting India as a part of Von der Leyen's delegation."
WRONG_SPEAKER = "Sanjay Seth said security should be a core part of our new strategic partnership with India."


def run(*args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True, text=True,
                          input=stdin, timeout=timeout)


def even_odds(tmp_path: Path) -> list[str]:
    """A config setting the learned threshold to the calibrated even odds (the shipped one, chosen to keep
    90% of correct FRANK summaries, rejects little beyond the hard checks)."""
    config = tmp_path / "even.toml"
    config.write_text("[answer]\nsupport_threshold = 0.5\n")
    return ["--config", str(config)]


@pytest.mark.slow
def test_verify_batch_json_in_order_with_bad_lines(tmp_path: Path) -> None:
    batch = tmp_path / "claims.jsonl"
    lines = [json.dumps({"claim": TRUE, "evidence": [ARTICLE]}),
             "{not json",
             json.dumps({"claim": "", "evidence": [ARTICLE]}),
             json.dumps({"claim": WRONG_PERSON, "evidence": [ARTICLE]}),
             json.dumps({"claim": TRUE, "evidence": "no"}),  # a lone string is one passage
             json.dumps({"claim": TRUE, "evidence": [1]})]
    batch.write_text("\n".join(lines) + "\n")
    proc = run(*even_odds(tmp_path), "verify", "--batch", str(batch), "--json")
    assert proc.returncode == 3, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 6
    assert set(out[0]) == {"supported", "score", "reasons"} and out[0]["supported"] and 0 <= out[0]["score"] <= 1
    assert out[1] == {"error": "line 2: not JSON (Expecting property name enclosed in double quotes)"}
    assert out[2] == {"error": "line 3: 'claim' must be a non-empty string"}
    assert not out[3]["supported"] and out[3]["score"] < out[0]["score"]
    assert any("Sanjay Seth" in r and "Kubilius" in r for r in out[3]["reasons"])
    assert not out[4]["supported"]
    assert out[5] == {"error": "line 6: 'evidence' must be a list of strings"}
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 3


def test_verify_batch_with_nothing_usable_exits_1(tmp_path: Path) -> None:
    batch = tmp_path / "claims.jsonl"
    batch.write_text("[1]\n")
    proc = run("verify", "--batch", str(batch), "--json")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == "assistant: error: no usable line in the batch file"


def test_verify_needs_claim_or_batch() -> None:
    proc = run("verify")
    assert proc.returncode == 1 and "give either a claim" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_verify_claim_with_evidence_files(tmp_path: Path) -> None:
    evidence = tmp_path / "article.txt"
    evidence.write_text(ARTICLE)
    proc = run(*even_odds(tmp_path), "verify", WRONG_PERSON, "--evidence", str(evidence))
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.startswith("NOT supported (score ")
    assert "names Sanjay Seth, but the passage says “Kubilius is visiting”" in proc.stdout
    proc = run(*even_odds(tmp_path), "verify", TRUE, "--evidence", str(evidence), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["supported"] is True


@pytest.mark.slow
def test_verify_rejects_the_wrong_actor_at_the_shipped_threshold(tmp_path: Path) -> None:
    evidence = tmp_path / "talks.txt"
    evidence.write_text("Minister of State for Defence Sanjay Seth welcomed the EU delegation on Tuesday. "
                        "Andrius Kubilius explored ways to deepen defence ties with India, the ministry said.")
    proc = run("verify", "Sanjay Seth explored ways to deepen defence ties", "--evidence", str(evidence))
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.startswith("NOT supported")
    assert "names Sanjay Seth, but the passage says “Andrius Kubilius explored”" in proc.stdout


def test_verify_missing_evidence_file_is_one_line(tmp_path: Path) -> None:
    proc = run("verify", TRUE, "--evidence", str(tmp_path / "none.txt"))
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"assistant: error: {tmp_path / 'none.txt'}: cannot read evidence (FileNotFoundError)"


DRAFT = f"""# EU and India

{TRUE} The European Union is exploring a security and defence pact with India.

- {WRONG_SPEAKER}
- The <b>weather</b> in Reykjavik was mild & wet on Tuesday.
"""


@pytest.mark.slow
def test_check_draft_statuses_and_exit_code(built_index: Path, tmp_path: Path) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(DRAFT)
    proc = run("--index", str(built_index), "check", str(draft), "--json")
    assert proc.returncode == 3, proc.stderr
    result = json.loads(proc.stdout)
    statuses = [s["status"] for s in result["sentences"]]
    assert statuses == ["supported", "supported", "contradicted", "not_found"], result
    assert result["counts"] == {"supported": 2, "contradicted": 1, "not_found": 1}
    supported = result["sentences"][0]
    assert "Kubilius is visiting India" in supported["passage"]["text"]
    assert any("Sanjay Seth" in r for r in result["sentences"][2]["reasons"])


@pytest.mark.slow
def test_check_all_supported_exits_0_and_reads_stdin(built_index: Path) -> None:
    proc = run("--index", str(built_index), "check", "-", stdin=TRUE + "\n")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "**supported**" in proc.stdout and "Kubilius" in proc.stdout


@pytest.mark.slow
def test_check_html_escapes_the_draft(built_index: Path, tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT)
    proc = run("--index", str(built_index), "check", str(draft), "--format", "html")
    assert proc.returncode == 3
    page = proc.stdout
    assert page.startswith("<!DOCTYPE html>") and "<b>weather</b>" not in page
    assert "&lt;b&gt;weather&lt;/b&gt;" in page and "mild &amp; wet" in page
    assert 'class="s contradicted"' in page and 'class="s supported"' in page


def test_check_empty_draft_is_one_line(tmp_path: Path) -> None:
    draft = tmp_path / "empty.md"
    draft.write_text("  \n")
    proc = run("check", str(draft))
    assert proc.returncode == 1 and proc.stderr.strip() == f"assistant: error: {draft}: the draft is empty"


NEGATED = "Von der Leyen did not make the announcement."
WRONG_VISITOR = "Sanjay Seth is visiting India as part of the delegation."


@pytest.mark.slow
def test_check_contradicts_a_flipped_act_and_the_wrong_person(built_index: Path) -> None:
    """A negated act and the wrong person of the story are contradictions, not "not found", even when the
    sentence's closest window is not that similar, and a name the article gives in another passage counts as
    one of its people; each check shows the window it was judged on."""
    proc = run("--index", str(built_index), "check", "-", "--json", stdin=f"{NEGATED}\n{WRONG_VISITOR}\n")
    assert proc.returncode == 3, proc.stderr
    negated, visitor = json.loads(proc.stdout)["sentences"]
    assert negated["status"] == "contradicted" and any("negation" in r for r in negated["reasons"]), negated
    assert "was made by" in negated["evidence"] and negated["evidence"] in negated["passage"]["text"]
    assert visitor["status"] == "contradicted", visitor
    assert any("Sanjay Seth" in r and "Kubilius is visiting" in r for r in visitor["reasons"]), visitor
