"""A server's error text never carries our API key to the screen: it is redacted from every message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import ROOT

from assistant.core.errors import ModelError
from assistant.core.sanitize import redact_secrets
from assistant.llm.openai_chat import OpenAIChatModel

ASK = [{"role": "user", "content": "hello"}]


class EchoingHandler(BaseHTTPRequestHandler):
    """Answers every POST with the status in the path's first segment, echoing the request's credentials."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status = int(self.path.strip("/").split("/")[0])
        auth = self.headers.get("Authorization", "")
        message = (f"bad request: you sent Authorization: {auth}; key {auth.removeprefix('Bearer ')}; "
                   f"retry with ?api_key={auth.removeprefix('Bearer ')}&x=1")
        body = json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def echo_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("status", "key"),
    [
        pytest.param(500, "sk-test-SECRET", id="500-openai-style-key"),
        pytest.param(400, "sk-proj-SECRET_abc-123", id="400-project-key"),
        pytest.param(500, "local-SECRET-token", id="500-key-of-no-known-shape"),
    ],
)
def test_server_error_text_is_redacted(echo_server: str, monkeypatch, status: int, key: str) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("OPENAI_BASE_URL", f"{echo_server}/{status}/v1")
    model = OpenAIChatModel("test-model", retries=0)
    with pytest.raises(ModelError) as caught:
        "".join(model.stream(ASK, max_tokens=4, temperature=0.0))
    text = str(caught.value)
    assert "bad request: you sent Authorization: Bearer [redacted]" in text  # the server's words survive
    assert "SECRET" not in text and f"HTTP {status}" in text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("text", "known", "expected"),
    [
        pytest.param("Authorization: Bearer abc.def-ghi", (), "Authorization: Bearer [redacted]", id="bearer"),
        pytest.param("key sk-live-1234abcd rejected", (), "key [redacted] rejected", id="sk-key"),
        pytest.param('{"api_key": "hunter22"}', (), '{"api_key": "[redacted]"}', id="json-api-key"),
        pytest.param("GET /v1?api_key=abc123&x=1", (), "GET /v1?api_key=[redacted]&x=1", id="query-api-key"),
        pytest.param("used mykey-0042 twice", ("mykey-0042",), "used [redacted] twice", id="configured-key"),
        pytest.param("a token of thanks", ("x",), "a token of thanks", id="prose-untouched"),
        pytest.param("Basic dXNlcjpwYXNz", (), "Basic [redacted]", id="basic-auth"),
    ],
)
def test_redact_secrets(text: str, known: tuple[str, ...], expected: str) -> None:
    assert redact_secrets(text, known) == expected


def test_cli_error_line_is_one_printable_line_without_secrets(tmp_path) -> None:
    """The CLI's error printer redacts and strips whatever reaches it (here a file name from the command line)."""
    config = tmp_path / "api_key=hunter22 \x1b[2J\x07\nBearer abc.def the-configured-key.toml"
    proc = subprocess.run([sys.executable, "-m", "assistant", "--config", str(config), "index", "stats"], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "OPENAI_API_KEY": "the-configured-key"})
    assert proc.returncode == 1
    assert proc.stderr.startswith("assistant: error: config file not found") and proc.stderr.count("\n") == 1
    assert "api_key=[redacted]" in proc.stderr and "Bearer [redacted]" in proc.stderr
    for leaked in ("hunter22", "abc.def", "the-configured-key", "\x1b", "\x07"):
        assert leaked not in proc.stderr
