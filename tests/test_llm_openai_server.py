"""The ``openai:MODEL`` provider against a real OpenAI-compatible server (llama-cpp-python's, on
loopback, serving SmolLM2), plus the client's key handling and error translation."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import openai
import pytest

from assistant.core.errors import ModelError
from assistant.core.settings import LLMSettings, Settings
from assistant.llm import ChatModel, make_llm
from assistant.llm.local import bundled_gguf
from assistant.llm.openai_client import (
    NO_KEY,
    PLACEHOLDER_KEY,
    call_with_errors,
    make_client,
)

MODEL_ALIAS = "smollm2"
READY_TIMEOUT_S = 90.0
ASK = [{"role": "user", "content": "List three colours, one per line."}]


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def llama_server(log: Path, api_key: str | None = None) -> Iterator[str]:
    """Run ``python -m llama_cpp.server`` until the block ends; yields its ``/v1`` base URL."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(bundled_gguf()), "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "1", "--n_threads_batch", "1",
    ]  # fmt: skip
    if api_key:
        cmd += ["--api_key", api_key]
    base_url = f"http://127.0.0.1:{port}/v1"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_ready(proc, base_url, log, api_key)
            yield base_url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, log: Path, api_key: str | None) -> None:
    """Poll ``/v1/models`` until it answers, the server dies, or the timeout passes."""
    request = urllib.request.Request(f"{base_url}/models")
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"llama_cpp.server not ready after {READY_TIMEOUT_S:.0f}s:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with llama_server(tmp_path_factory.mktemp("llama-server") / "server.log") as url:
        yield url


@pytest.fixture()
def served(server_url: str, monkeypatch: pytest.MonkeyPatch) -> ChatModel:
    """The provider pointed at the test server the way a user would: env vars, no key."""
    monkeypatch.setenv("OPENAI_BASE_URL", server_url)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    llm = make_llm(Settings(llm=LLMSettings(spec=f"openai:{MODEL_ALIAS}", timeout_s=60, retries=1)))
    assert llm is not None
    return llm


@pytest.mark.server
def test_chat_through_the_server(served: ChatModel) -> None:
    assert served.name == "openai:smollm2"
    reply = served.complete(ASK, max_tokens=24, temperature=0.0)
    assert reply.strip()
    assert "<|im_end|>" not in reply
    assert served.complete(ASK, max_tokens=24, temperature=0.0) == reply


@pytest.mark.server
def test_streaming_through_the_server(served: ChatModel) -> None:
    pieces = list(served.stream(ASK, max_tokens=24, temperature=0.0))
    assert len(pieces) > 1
    assert "".join(pieces) == served.complete(ASK, max_tokens=24, temperature=0.0)


@pytest.mark.server
def test_stop_and_max_tokens_reach_the_server(served: ChatModel) -> None:
    cut = served.complete(ASK, max_tokens=32, temperature=0.0, stop=["\n"])
    assert cut.strip() and "\n" not in cut
    assert served.count_tokens(served.complete(ASK, max_tokens=3, temperature=0.0)) <= 6


@pytest.mark.server
def test_not_found_is_one_clear_line(server_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """llama.cpp serves any model name, so provoke its 404 with a base URL missing ``/v1``."""
    wrong = server_url.removesuffix("/v1")
    monkeypatch.setenv("OPENAI_BASE_URL", wrong)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    llm = make_llm(Settings(llm=LLMSettings(spec=f"openai:{MODEL_ALIAS}", retries=2)))
    assert llm is not None
    with pytest.raises(ModelError) as info:
        llm.complete(ASK, max_tokens=4, temperature=0.0)
    message = str(info.value)
    assert message.startswith(f"unknown model 'smollm2' at {wrong}/chat/completions")
    assert "/v1" in message and "\n" not in message
    assert not info.value.retryable


@pytest.mark.server
def test_wrong_api_key_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with llama_server(tmp_path / "server.log", api_key="right-key") as url:
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("OPENAI_API_KEY", "wrong-key")
        llm = make_llm(Settings(llm=LLMSettings(spec=f"openai:{MODEL_ALIAS}", retries=2)))
        assert llm is not None
        started = time.monotonic()
        with pytest.raises(ModelError) as info:
            llm.complete(ASK, max_tokens=4, temperature=0.0)
        assert time.monotonic() - started < 2, "an auth failure is not worth retrying"
        monkeypatch.setenv("OPENAI_API_KEY", "right-key")
        good = make_llm(Settings(llm=LLMSettings(spec=f"openai:{MODEL_ALIAS}")))
        assert good is not None and good.complete(ASK, max_tokens=4, temperature=0.0).strip()
    message = str(info.value)
    assert "rejected the API key" in message and "OPENAI_API_KEY" in message
    assert url in message and "\n" not in message
    assert info.value.retryable is False


def test_refused_connection_names_the_url_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    llm = make_llm(Settings(llm=LLMSettings(spec="openai:smollm2", timeout_s=5, retries=1)))
    assert llm is not None
    started = time.monotonic()
    with pytest.raises(ModelError) as info:
        llm.complete(ASK, max_tokens=4, temperature=0.0)
    elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 5, "one retry after a 0.5 s backoff, then give up"
    message = str(info.value)
    assert message.startswith(f"cannot connect to model server at {url}")
    assert "OPENAI_BASE_URL" in message and "\n" not in message
    assert info.value.retryable is True


def test_no_key_and_no_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ModelError) as info:
        make_llm(Settings(llm=LLMSettings(spec="openai:gpt-4o-mini")))
    assert str(info.value) == "No API key: set OPENAI_API_KEY or use --llm local"
    assert str(info.value) == NO_KEY


def test_no_key_with_openai_base_url_still_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    with pytest.raises(ModelError, match="No API key"):
        make_client()


def test_self_hosted_server_gets_a_placeholder_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1")
    client = make_client(timeout=7.0)
    assert client.api_key == PLACEHOLDER_KEY
    assert str(client.base_url).rstrip("/") == "http://127.0.0.1:8000/v1"
    assert client.timeout == 7.0 and client.max_retries == 0
    assert make_client().timeout is not None, "no timeout given must not mean wait forever"


def test_users_key_and_url_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-user")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    client = make_client()
    assert client.api_key == "sk-user"
    assert client.base_url.host == "api.openai.com"


def _status_error(cls: type[openai.APIStatusError], status: int) -> openai.APIStatusError:
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    return cls(f"Error code: {status}", response=httpx.Response(status, request=request), body=None)


class Flaky:
    """A call that fails with the given errors first, then succeeds; counts attempts."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.attempts = 0

    def __call__(self) -> str:
        self.attempts += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(_status_error(openai.RateLimitError, 429), id="429"),
        pytest.param(_status_error(openai.InternalServerError, 503), id="503"),
        pytest.param(openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1:9/v1")), id="refused"),
    ],
)
def test_transient_errors_are_retried(error: Exception) -> None:
    call = Flaky(error, error)
    assert call_with_errors(call, "m", retries=2, backoff_s=0.01) == "ok"
    assert call.attempts == 3


def test_retries_run_out_with_the_last_error() -> None:
    call = Flaky(*[_status_error(openai.InternalServerError, 502)] * 3)
    with pytest.raises(ModelError) as info:
        call_with_errors(call, "m", retries=1, backoff_s=0.01)
    assert call.attempts == 2
    assert info.value.retryable and "HTTP 502" in str(info.value)


def test_backoff_grows_exponentially() -> None:
    call = Flaky(*[_status_error(openai.RateLimitError, 429)] * 2)
    started = time.monotonic()
    call_with_errors(call, "m", retries=2, backoff_s=0.1)
    assert 0.3 <= time.monotonic() - started < 1.0  # 0.1 + 0.2


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(_status_error(openai.NotFoundError, 404), "unknown model 'gpt-9'", id="404"),
        pytest.param(_status_error(openai.AuthenticationError, 401), "rejected the API key", id="401"),
        pytest.param(_status_error(openai.BadRequestError, 400), "model 'gpt-9' failed", id="400"),
    ],
)
def test_permanent_errors_are_not_retried(error: Exception, expected: str) -> None:
    call = Flaky(error)
    with pytest.raises(ModelError) as info:
        call_with_errors(call, "gpt-9", retries=3, backoff_s=0.01)
    assert call.attempts == 1
    assert expected in str(info.value) and "\n" not in str(info.value)
    assert not info.value.retryable
