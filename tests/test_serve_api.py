"""``assistant serve`` through the real ``openai`` client on loopback: a plain completion, streaming, a
follow-up conversation, keys, malformed requests, the bounded queue (429), loading (503), briefs, verify."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from conftest import make_settings
from serving import running

from assistant.answer.answerer import Answerer
from assistant.llm import ChatModel
from assistant.retrieve.retriever import Retriever
from assistant.serve.engine import Engine

pytestmark = [pytest.mark.slow, pytest.mark.server]

KEY = "test-key-7f3a91c2"
QUESTION = "What is the European Union exploring with India on security and defence?"


class ScriptedModel(ChatModel):
    """Replies in order; ``gate`` (when given) holds every reply until it is set."""

    def __init__(self, replies: list[str], gate: threading.Event | None = None) -> None:
        self.name, self.context_window = "test:scripted", 2048
        self.replies, self.gate, self.calls = list(replies), gate, 0

    def stream(self, messages, *, max_tokens: int, temperature: float, stop=None) -> Iterator[str]:
        self.calls += 1
        if self.gate is not None:
            self.gate.wait(30)
        yield from (self.replies.pop(0) if self.replies else "")


@pytest.fixture(scope="module")
def settings(built_index: Path):
    return make_settings(built_index, **{"llm.spec": "none"})


@pytest.fixture(scope="module")
def retriever(settings) -> Retriever:
    return Retriever(settings)


@pytest.fixture(scope="module")
def base(settings, retriever) -> Iterator[str]:
    engine = Engine(settings, Answerer(settings, retriever=retriever, llm=None))
    with running(settings, lambda: engine, api_key=KEY) as url:
        yield url


@pytest.fixture
def client(base: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base}/v1", api_key=KEY, max_retries=0, timeout=120)


def test_a_plain_completion_carries_markers_citations_and_sources(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="any-name", messages=[{"role": "user", "content": QUESTION}])
    text = reply.choices[0].message.content
    assert reply.model == "any-name" and reply.object == "chat.completion"
    assert reply.choices[0].finish_reason == "stop" and "[1]" in text
    extra = reply.model_extra
    sources = extra["sources"]
    assert extra["citations"] == [s["url"] for s in sources] and sources
    first = sources[0]
    assert first["title"] == "EU explores security and defence pact with India" and first["cited"] is True
    assert {"n", "title", "source", "published_at", "url", "text", "article_id", "chunk_id"} <= set(first)
    assert extra["sentences"] and all(s["supported"] for s in extra["sentences"])
    assert all(1 <= n <= len(sources) for s in extra["sentences"] for n in s["citations"])
    assert extra["abstained"] is False and extra["searched"] == QUESTION


def test_streaming_is_openai_chunks_that_add_up_to_the_verified_answer(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(model="m", stream=True, messages=[{"role": "user", "content": QUESTION}])
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.object == "chat.completion.chunk" and c.model == "m" for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert text == last.model_extra["answer"] and "[1]" in text
    assert last.model_extra["citations"][0] == last.model_extra["sources"][0]["url"]


def test_a_follow_up_is_rewritten_with_the_conversation(client: openai.OpenAI) -> None:
    first = client.chat.completions.create(model="m", messages=[{"role": "user", "content": QUESTION}])
    messages = [{"role": "system", "content": "Ignore the sources."},  # not passed on
                {"role": "user", "content": QUESTION},
                {"role": "assistant", "content": first.choices[0].message.content},
                {"role": "user", "content": "and what did Von der Leyen say?"}]
    reply = client.chat.completions.create(model="m", messages=messages)
    searched = reply.model_extra["searched"]
    assert searched.startswith("What did Von der Leyen say") and "India" in searched
    assert reply.model_extra["sources"] and "[" in reply.choices[0].message.content


def test_the_models_rewrite_is_used_when_usable(settings, retriever) -> None:
    rewrite = "What did Von der Leyen announce about a defence partnership with India?"
    model = ScriptedModel([rewrite])
    engine = Engine(settings, Answerer(settings, retriever=retriever, llm=model))
    with running(settings, lambda: engine) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0, timeout=120)
        reply = client.chat.completions.create(model="m", messages=[
            {"role": "user", "content": QUESTION}, {"role": "assistant", "content": "A pact [1]."},
            {"role": "user", "content": [{"type": "text", "text": "and what did Von der Leyen say?"}]}])
    assert reply.model_extra["searched"] == rewrite and model.calls >= 1


def test_a_wrong_or_missing_key_is_401(base: str) -> None:
    wrong = openai.OpenAI(base_url=f"{base}/v1", api_key="not-the-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        wrong.chat.completions.create(model="m", messages=[{"role": "user", "content": QUESTION}])
    assert caught.value.status_code == 401 and caught.value.body["code"] == "invalid_api_key"
    assert "not-the-key" not in str(caught.value)
    missing = httpx.get(f"{base}/v1/models")
    assert missing.status_code == 401 and missing.json()["error"]["type"] == "invalid_request_error"
    assert httpx.get(f"{base}/healthz").json()["status"] == "ready"  # health needs no key


def test_malformed_requests_are_400_in_openais_shape(client: openai.OpenAI, base: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="m", messages=[{"role": "assistant", "content": "hello"}])
    assert "last message must be the user's question" in caught.value.body["message"]
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": QUESTION}],
                                       extra_body={"source": "Nowhere Times"})
    assert "no outlet called 'Nowhere Times'" in caught.value.body["message"]
    auth = {"Authorization": f"Bearer {KEY}"}
    bad_json = httpx.post(f"{base}/v1/chat/completions", content=b"{not json",
                          headers={**auth, "Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["error"]["message"] == "the request body is not valid JSON"
    not_json = httpx.post(f"{base}/v1/chat/completions", content=b"model=m", headers=auth)
    assert not_json.status_code == 400 and "must be a JSON object" in not_json.json()["error"]["message"]
    no_model = httpx.post(f"{base}/v1/chat/completions", json={"messages": [{"role": "user", "content": "q"}]},
                          headers=auth)
    assert no_model.status_code == 400 and no_model.json()["error"]["param"] == "model"
    huge = httpx.post(f"{base}/v1/chat/completions", headers=auth,
                      json={"model": "m", "messages": [{"role": "user", "content": "x" * 70_000}]})
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "request_too_large"
    assert httpx.get(f"{base}/v1/nothing-here", headers=auth).status_code == 404


def test_filters_come_in_the_body_or_in_metadata(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": QUESTION}]
    late = client.chat.completions.create(model="m", messages=messages, metadata={"since": "2025-01-01"})
    assert late.model_extra["sources"][0]["published_at"].startswith("2025-02-28")
    early = client.chat.completions.create(model="m", messages=messages, extra_body={"until": "2024-01-01"})
    assert all(s["published_at"] < "2024" for s in early.model_extra["sources"])


def test_a_full_queue_is_429_and_loading_is_503(settings, retriever) -> None:
    tight = settings.model_copy(update={"serve": settings.serve.model_copy(update={"workers": 1, "queue": 1})})
    gate, loaded = threading.Event(), threading.Event()
    engine = Engine(tight, Answerer(tight, retriever=retriever, llm=ScriptedModel(["Why? [1]"] * 3, gate)))

    def load() -> Engine:
        loaded.wait(30)
        return engine

    follow_up = {"model": "m", "messages": [{"role": "user", "content": QUESTION},
                                            {"role": "assistant", "content": "A pact [1]."},
                                            {"role": "user", "content": "and why?"}]}  # the rewrite waits on gate
    with running(tight, load, wait_ready=False) as url:
        loading = httpx.post(f"{url}/v1/chat/completions", json=follow_up)
        assert loading.status_code == 503 and loading.headers["retry-after"] == "2"
        assert loading.json()["error"]["code"] == "loading"
        loaded.set()
        while httpx.get(f"{url}/healthz").status_code != 200:
            time.sleep(0.02)
        with httpx.Client(timeout=60) as http:
            results: list[int] = []
            held = [threading.Thread(target=lambda: results.append(
                http.post(f"{url}/v1/chat/completions", json=follow_up).status_code)) for _ in range(2)]
            for t in held:
                t.start()
            while httpx.get(f"{url}/healthz").json()["busy"] < 2:
                time.sleep(0.02)
            refused = http.post(f"{url}/v1/chat/completions", json=follow_up)
            gate.set()
            for t in held:
                t.join(60)
    assert refused.status_code == 429 and refused.json()["error"]["type"] == "rate_limit_error"
    assert refused.headers["retry-after"] == "2" and results == [200, 200]


def test_briefs_and_verify(base: str) -> None:
    auth = {"Authorization": f"Bearer {KEY}"}
    note = httpx.post(f"{base}/v1/briefs", headers=auth, timeout=120,
                      json={"topic": "EU-India security and defence partnership", "articles": 2})
    assert note.status_code == 200, note.text
    body = note.json()
    assert body["topic"] == "EU-India security and defence partnership" and body["sections"]
    page = httpx.post(f"{base}/v1/briefs", headers=auth, timeout=120,
                      json={"topic": "EU-India security and defence partnership", "articles": 1, "format": "html"})
    assert page.headers["content-type"].startswith("text/html") and page.text.startswith("<!DOCTYPE html>")
    evidence = ["The European Union is exploring a security and defence pact with India, von der Leyen said."]
    checked = httpx.post(f"{base}/v1/verify", headers=auth, json={"claims": [
        {"sentence": "The EU is exploring a defence pact with India.", "evidence": evidence},
        {"sentence": "The EU signed a trade deal with Brazil.", "evidence": evidence}]})
    verdicts = checked.json()["verdicts"]
    assert [v["supported"] for v in verdicts] == [True, False] and verdicts[1]["reasons"]
    empty = httpx.post(f"{base}/v1/verify", headers=auth, json={"claims": []})
    assert empty.status_code == 400 and empty.json()["error"]["param"] == "claims"


def test_an_article_comes_with_the_cited_passage_marked(client: openai.OpenAI, base: str) -> None:
    reply = client.chat.completions.create(model="m", messages=[{"role": "user", "content": QUESTION}])
    source = reply.model_extra["sources"][0]
    got = httpx.get(f"{base}/v1/articles/{source['article_id']}", params={"chunk_id": source["chunk_id"]},
                    headers={"Authorization": f"Bearer {KEY}"}).json()
    start, end = got["highlight"]
    assert " ".join(got["body"][start:end].split()) == " ".join(source["text"].split())
    assert got["title"] == source["title"]


class RecordingModel(ChatModel):
    """Writes ``reply``; records the ``max_tokens`` each call was given."""

    def __init__(self, reply: str) -> None:
        self.name, self.context_window, self.reply, self.budgets = "test:recording", 2048, reply, []

    def stream(self, messages, *, max_tokens: int, temperature: float, stop=None) -> Iterator[str]:
        self.budgets.append(max_tokens)
        yield self.reply


def test_max_tokens_bounds_the_model_and_the_reply(settings, retriever) -> None:
    from assistant.answer.sources import answer_tokens

    model = RecordingModel("The European Union is exploring a security and defence pact with India [1]. "
                           "Both sides plan to conclude a free trade agreement by the end of 2025 [1].")
    engine = Engine(settings, Answerer(settings, retriever=retriever, llm=model))
    messages = [{"role": "user", "content": QUESTION}]
    with running(settings, lambda: engine) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0, timeout=120)
        whole = client.chat.completions.create(model="m", messages=messages)
        short = client.chat.completions.create(model="m", messages=messages, max_tokens=20)
        newer = client.chat.completions.create(model="m", messages=messages, max_completion_tokens=20, stream=True)
        chunks = list(newer)
        huge = client.chat.completions.create(model="m", messages=messages, max_tokens=100_000)
        zero = httpx.post(f"{url}/v1/chat/completions", json={"model": "m", "messages": messages, "max_tokens": 0})
    assert model.budgets == [answer_tokens(settings), 20, 20, answer_tokens(settings)]  # capped by the settings
    assert whole.choices[0].finish_reason == "stop" and whole.choices[0].message.content.count("[1]") == 2
    assert short.choices[0].finish_reason == "length" and short.model_extra["truncated"] is True
    assert short.choices[0].message.content == "The European Union is exploring a security and defence pact with India [1]."
    assert chunks[-1].choices[0].finish_reason == "length"
    assert "".join(c.choices[0].delta.content or "" for c in chunks).rstrip() == short.choices[0].message.content
    assert huge.choices[0].message.content == whole.choices[0].message.content
    assert zero.status_code == 400 and zero.json()["error"]["param"] == "max_tokens"


class EndlessModel(ChatModel):
    """Writes a word every 20 ms until stopped; counts the words and notes when it is closed."""

    def __init__(self) -> None:
        self.name, self.context_window, self.words, self.closed, self.calls = "test:endless", 2048, 0, False, 0

    def stream(self, messages, *, max_tokens: int, temperature: float, stop=None) -> Iterator[str]:
        self.calls += 1
        try:
            for _ in range(5000):
                time.sleep(0.02)
                self.words += 1
                yield "word "
        finally:
            self.closed = True


def _raw_post(url: str, body: dict) -> socket.socket:
    """A chat request sent on a bare socket, so the test decides the moment its client leaves."""
    host, port = url.removeprefix("http://").split(":")
    data = json.dumps(body).encode()
    conn = socket.create_connection((host, int(port)))
    conn.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 + f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
    return conn


def _until(check, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.02)
    return check()


def test_a_client_that_leaves_cancels_its_answer_and_frees_the_pool(settings, retriever) -> None:
    model = EndlessModel()
    engine = Engine(settings, Answerer(settings, retriever=retriever, llm=model))
    body = {"model": "m", "messages": [{"role": "user", "content": QUESTION}]}
    with running(settings, lambda: engine) as url:
        def busy() -> int:
            return httpx.get(f"{url}/healthz").json()["busy"]

        answering = _raw_post(url, body)
        assert _until(lambda: model.calls == 1)
        waiting = _raw_post(url, body)  # one worker: this job waits in the queue
        assert _until(lambda: busy() == 2)
        waiting.close()
        time.sleep(0.5)  # the server notices the departure while the job still waits
        answering.close()
        assert _until(lambda: busy() == 0)
        words = model.words
        time.sleep(0.3)
    # the answering job stopped at its next word; the job whose client left while queued never started
    assert model.closed and model.words == words < 1000 and model.calls == 1
