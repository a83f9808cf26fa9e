"""``assistant chat`` driven through a real pseudo-terminal (pexpect): type lines, assert on the screen.

Runs the real CLI against the session's built index (real embedder, real Chroma, real Answerer).
Timeouts are generous because the test machine is shared and busy.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180
FIRST_Q = "What is the EU exploring with India?"
FOLLOW_UP = "and what did Modi say?"
FOLLOW_UP_SEARCH = "What did Modi say, regarding EU exploring India?"


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, TERM="dumb", NO_COLOR="1", COLUMNS="120", LINES="40",
               ASSISTANT_CHAT_HISTORY=str(tmp_path / "history"))
    for name in ("ASSISTANT_CONFIG", "ASSISTANT_LLM", "ASSISTANT_INDEX", "ASSISTANT_CHROMA_URL"):
        env.pop(name, None)
    return env


def _spawn(index: Path, tmp_path: Path, llm: str = "none", *extra: str, config: Path | None = None):
    env = _env(tmp_path) if config is None else {**_env(tmp_path), "ASSISTANT_CONFIG": str(config)}
    child = pexpect.spawn(sys.executable, ["-m", "assistant", "--index", str(index), "--llm", llm, "chat", *extra],
                          cwd=str(ROOT), env=env, encoding="utf-8", dimensions=(40, 120),
                          timeout=TIMEOUT)
    child.logfile_read = io.StringIO()
    child.expect_exact("ready in")
    child.expect_exact("> ")
    return child


def _prompt(child, text: str = "> ") -> None:
    child.expect_exact(text)


def _key(child, key: str) -> None:
    """Send a control key once the prompt has settled: a key sent in the instant between the prompt
    being drawn and the terminal entering raw mode is swallowed by the line discipline (no human is that fast)."""
    time.sleep(0.5)
    child.send(key)


def _screen(child) -> str:
    return child.logfile_read.getvalue()


def _quit(child) -> None:
    child.sendline("/quit")
    child.expect_exact("bye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, _screen(child)
    assert "Traceback" not in _screen(child)


def test_chat_transcript(built_index: Path, tmp_path: Path) -> None:
    child = _spawn(built_index, tmp_path)

    child.sendline(FIRST_Q)
    child.expect_exact("[1] EU explores security and defence pact with India")
    child.expect_exact("sources cited · /sources · /open N")
    _prompt(child)

    child.sendline(FOLLOW_UP)  # needs the history: rewritten before retrieval
    child.expect_exact(f"(searching: {FOLLOW_UP_SEARCH})")
    child.expect_exact("sources cited")
    _prompt(child)

    child.sendline("/sources")
    child.expect_exact("[1] EU explores security and defence pact with India")
    child.expect_exact("(cited)")
    _prompt(child)

    child.sendline("/open 1")
    child.expect_exact("[1] EU explores security and defence pact with India")
    child.expect_exact("Kubilius is visiting India as a part of Von der Leyen's delegation.")  # the article's end
    _prompt(child)

    child.sendline("/frobnicate")
    child.expect_exact("! unknown command /frobnicate (/help lists the commands)")
    _prompt(child)

    child.sendline("/open 99")
    child.expect_exact("! no source 99: the last answer has sources 1–")
    _prompt(child)

    child.sendline("/filter source=Nowhere Gazette")
    child.expect_exact("! no outlet called 'Nowhere Gazette' in the index")
    _prompt(child)

    child.sendline("/filter source=verge since=2023-10-01")
    child.expect_exact("filter: source=The Verge since=2023-10-01")
    _prompt(child, "[source=The Verge since=2023-10-01] > ")

    child.sendline("/filter off")
    child.expect_exact("filter off")
    _prompt(child)

    transcript = tmp_path / "chat.md"
    child.sendline(f"/save {transcript}")
    child.expect_exact(f"saved 2 turns to {transcript}")
    _prompt(child)

    _quit(child)
    md = transcript.read_text(encoding="utf-8")
    assert md.startswith("# Chat transcript")
    assert f"## 1. {FIRST_Q}" in md and f"## 2. {FOLLOW_UP}" in md
    assert f"*Searched as:* {FOLLOW_UP_SEARCH}" in md
    assert "[1]" in md and "**Sources**" in md and "EU explores security and defence pact with India" in md


def test_keys_history_and_help(built_index: Path, tmp_path: Path) -> None:
    child = _spawn(built_index, tmp_path)
    child.sendline("/help")
    child.expect_exact("/open N")
    child.expect_exact("Ctrl-D quits.")
    _prompt(child)
    child.send("a half-typed question")
    _key(child, "\x03")  # Ctrl-C at the prompt clears the line, like a shell
    _prompt(child)
    child.sendline("/llm")
    child.expect_exact("model: none (extractive)")
    _prompt(child)
    _key(child, "\x04")  # Ctrl-D quits
    child.expect_exact("bye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "half-typed" not in (tmp_path / "history").read_text()

    # Line history persists across sessions: Up recalls the last line of the previous session.
    child = _spawn(built_index, tmp_path)
    _key(child, "\x1b[A")  # a dumb terminal echoes only the last recalled character, so just run it
    child.send("\r")
    child.expect_exact("model: none (extractive)")
    _prompt(child)
    _quit(child)


def test_piped_input_answers_one_question_per_line(built_index: Path, tmp_path: Path) -> None:
    lines = f"{FIRST_Q}\n\n{FOLLOW_UP}\n/bogus\n"
    done = subprocess.run([sys.executable, "-m", "assistant", "--index", str(built_index), "--llm", "none", "chat"],
                          input=lines, capture_output=True, text=True, cwd=str(ROOT), env=_env(tmp_path),
                          timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "ready in" in done.stderr and "ready in" not in done.stdout
    assert done.stdout.count("sources cited") == 2
    assert f"> {FIRST_Q}" in done.stdout and f"(searching: {FOLLOW_UP_SEARCH})" in done.stdout
    assert "! unknown command /bogus" in done.stdout


def test_local_model_streams_and_ctrl_c_cancels(built_index: Path, tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    from assistant.llm.local import bundled_gguf

    try:
        bundled_gguf()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"bundled model unavailable: {exc}")
    # the model writes the answers, so that an answer streams for seconds and the Ctrl-C lands inside it (the
    # system's own answer is done in half a second, before the key arrives)
    writes = tmp_path / "model-writes.toml"
    writes.write_text('[answer]\nmodel_writes = "always"\n', encoding="utf-8")
    child = _spawn(built_index, tmp_path, "local", config=writes)
    child.sendline("What does Von der Leyen say security should be?")
    child.expect(r"first token \d+\.\d s")
    _prompt(child)

    child.sendline("Explain in detail why the jury heard from Sam Bankman-Fried and what he said")
    child.expect_exact("Explain in detail")
    _key(child, "\x03")  # Ctrl-C while the answer runs
    child.expect_exact("(cancelled)")
    _prompt(child)

    child.sendline("/llm")  # the session is intact after the cancel
    child.expect_exact("model: local:")
    _prompt(child)
    transcript = tmp_path / "chat.md"
    child.sendline(f"/save {transcript}")
    child.expect_exact("saved 2 turns")
    _prompt(child)
    _quit(child)
    assert "## 2. Explain in detail why the jury heard" in transcript.read_text()
    assert "*(cancelled)*" in transcript.read_text()
