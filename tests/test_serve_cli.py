"""``assistant serve`` as a user starts it: safe by default (no key off loopback is refused before anything
loads; a taken port is one line), the key never in its log, and the pure parts behind the routes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from assistant.cli.main import main
from assistant.serve.conversation import BadConversation, Conversation
from assistant.serve.engine import find_span
from assistant.serve.pool import Busy, Pool
from assistant.serve.reply import Gate, Limit, capped
from assistant.serve.requests import ChatMessage
from assistant.serve.server import bind, is_loopback

ROOT = Path(__file__).resolve().parents[1]


def test_off_loopback_without_a_key_is_refused_before_loading(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("ASSISTANT_API_KEY", raising=False)
    assert main(["--index", str(tmp_path / "none"), "serve", "--host", "0.0.0.0", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "refusing to listen on 0.0.0.0 without an API key" in err and "--api-key" in err
    assert not (tmp_path / "none").exists()  # nothing was loaded or created


def test_a_taken_port_is_one_line(tmp_path: Path, capsys) -> None:
    taken = bind("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        assert main(["--index", str(tmp_path / "none"), "serve", "--port", str(port)]) == 1
    finally:
        taken.close()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"cannot listen on 127.0.0.1:{port}" in err[0]


def test_an_index_that_cannot_load_stops_the_server_with_its_reason(tmp_path: Path, capsys) -> None:
    assert main(["--index", str(tmp_path / "empty"), "--llm", "none", "serve", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert err.rstrip().splitlines()[-1] == (f"assistant: error: the index at {tmp_path / 'empty'} has no articles yet "
                                             "(run 'assistant ingest PATH' first)")


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("[::1]", True),
                                           ("localhost", True), ("0.0.0.0", False), ("192.168.1.4", False),
                                           ("::", False), ("example.org", False)])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.slow
@pytest.mark.server
def test_the_server_process_never_logs_the_key(built_index: Path, tmp_path: Path) -> None:
    key = "sk-serve-test-0123456789abcdef"
    probe = bind("127.0.0.1", 0)
    port = probe.getsockname()[1]
    probe.close()
    log = tmp_path / "serve.log"
    env = {**os.environ, "ASSISTANT_API_KEY": key, "PYTHONPATH": str(ROOT)}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "--index", str(built_index), "--llm", "none",
                                 "serve", "--port", str(port), "--log-level", "debug"],
                                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                status = httpx.get(f"{base}/healthz").status_code
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert status == 200, log.read_text()
        body = {"model": "m", "messages": [{"role": "user", "content": f"what is {key}?"}]}
        wrong = httpx.post(f"{base}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {key}x"})
        assert wrong.status_code == 401 and key not in wrong.text
        right = httpx.post(f"{base}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"},
                           timeout=120)
        assert right.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    text = log.read_text()
    assert "serving on http://127.0.0.1" in text and "ready: none" in text
    assert key not in text and proc.returncode == 0


def test_the_pool_admits_workers_plus_queue_then_refuses() -> None:
    pool = Pool(workers=1, queue=1)
    gate = threading.Event()
    running = [pool.submit(gate.wait), pool.submit(gate.wait)]
    with pytest.raises(Busy):
        pool.submit(gate.wait)
    gate.set()
    for future in running:
        future.result(5)
    deadline = time.monotonic() + 5
    while pool.admitted and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool.admitted == 0 and pool.submit(lambda: 7).result(5) == 7
    pool.shutdown()


def test_a_long_reply_keeps_whole_sentences() -> None:
    text = "First sentence cites one [1]. Second sentence cites two [2]. Third sentence cites three [3]."
    assert capped(text, Limit(1000)) == (text, False)
    assert capped(text, Limit(62)) == ("First sentence cites one [1]. Second sentence cites two [2].", True)
    assert capped(text, Limit(10)) == ("First sentence cites one [1].", True)  # never cut inside a sentence
    # max_tokens counts tokens as OpenAI's clients do (each sentence here is 7 cl100k tokens)
    assert capped(text, Limit(1000, max_tokens=14)) == ("First sentence cites one [1]. Second sentence cites two [2].", True)
    assert capped(text, Limit(1000, max_tokens=1)) == ("First sentence cites one [1].", True)
    assert capped(text, Limit(1000, max_tokens=500)) == (text, False)


def test_the_stream_is_completed_into_the_verified_answer() -> None:
    gate = Gate(Limit(1000))
    assert gate.admit("A is so [1]. ") == "A is so [1]. "
    assert gate.rest("A is so [1]. B is so [2].") == "B is so [2]."
    assert gate.rest("A is so [1].") == ""
    assert gate.rest("The indexed articles do not say.").startswith("\n\nVerified answer: ")
    assert Gate(Limit(1000)).rest("Whole answer [1].") == "Whole answer [1]."
    small = Gate(Limit(15))
    assert small.admit("A is so [1]. ") and not small.admit("B is so [2]. ") and not small.admit("C. ")
    few = Gate(Limit(1000, max_tokens=8))
    assert few.admit("A is so [1]. ") and not few.admit("B is so [2]. ")


def test_a_conversation_is_its_last_question_and_the_turns_before() -> None:
    messages = [ChatMessage(role="system", content="be brief"), ChatMessage(role="user", content="What is X?"),
                ChatMessage(role="assistant", content="X is Y [1]."),
                ChatMessage(role="user", content=[{"type": "text", "text": "and  why?"}])]
    conv = Conversation.of(messages, 100)
    assert conv.question == "and why?" and [t.question for t in conv.turns] == ["What is X?"]
    assert conv.turns[0].answer.answer == "X is Y [1]."
    with pytest.raises(BadConversation):
        Conversation.of(messages[:3], 100)
    with pytest.raises(BadConversation):
        Conversation.of([ChatMessage(role="user", content="x" * 101)], 100)
    with pytest.raises(ValueError):
        Conversation.of([ChatMessage(role="user", content=[{"type": "image_url", "image_url": {}}])], 100)


def test_a_conversations_pronouns_resolve_to_the_people_its_answers_name() -> None:
    said = [("user", "Who announced the EU pact with India?"),
            ("assistant", "European Commission president Ursula von der Leyen announced it [1]."),
            ("user", "What did she offer?"), ("assistant", "The EU offered a security pact [1]."),
            ("user", "Why did she offer it?")]
    conv = Conversation.of([ChatMessage(role=role, content=text) for role, text in said], 300)
    searched = conv.standalone(None, [])
    assert conv.turns[1].standalone.startswith("What did Ursula von der Leyen offer")
    assert searched.startswith("Why did Ursula von der Leyen offer it")


def test_a_passage_is_found_in_its_article_whatever_the_spacing() -> None:
    body = "Lead line.\n\nThe council  approved\nthe plan. Tail."
    assert find_span(body, "The council approved the plan.") == [12, 43]
    assert find_span(body, "Not in it.") is None


def test_cors_is_off_unless_origins_are_configured(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from assistant.core.settings import load_settings
    from assistant.serve.app import create_app

    preflight = {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"}
    never = lambda: None  # noqa: E731 - no lifespan runs here, so nothing loads

    closed = TestClient(create_app(load_settings(overrides={"index": str(tmp_path)}), load=never))
    assert "access-control-allow-origin" not in closed.options("/v1/chat/completions", headers=preflight).headers
    settings = load_settings(overrides={"index": str(tmp_path), "serve.cors_origins": ["http://localhost:3000"]})
    opened = TestClient(create_app(settings, load=never))
    answer = opened.options("/v1/chat/completions", headers=preflight)
    assert answer.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert opened.get("/healthz", headers={"Origin": "http://evil.example"}).headers.get(
        "access-control-allow-origin") is None
