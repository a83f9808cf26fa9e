"""A bad --chroma-url, a server that is not there, and one that dies mid-ingest: one line each, exit 1."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, make_settings
from test_chroma_server import free_port, start_chroma

from assistant.core.errors import StoreError

CORPUS = ROOT / "evals" / "data" / "corpus.json"
UNREACHABLE = "assistant: error: cannot reach the Chroma server at "


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], check=False, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def assert_one_line(proc: subprocess.CompletedProcess, start: str) -> None:
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith(start), proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        pytest.param("http://127.0.0.1:99999", "the port '99999' is not a number from 1 to 65535", id="port-too-big"),
        pytest.param("http://127.0.0.1:abc", "the port 'abc' is not a number from 1 to 65535", id="port-not-a-number"),
        pytest.param("http://127.0.0.1:0", "the port '0' is not a number", id="port-zero"),
        pytest.param("ftp://127.0.0.1:8000", "it must start with http:// or https://", id="scheme"),
        pytest.param("127.0.0.1:8000", "it must start with http:// or https://", id="no-scheme"),
        pytest.param("http://:8000", "it names no host", id="no-host"),
    ],
)
def test_bad_url_is_one_line(tmp_path: Path, url: str, problem: str) -> None:
    proc = run("--chroma-url", url, "--index", str(tmp_path), "index", "stats", timeout=120)
    assert_one_line(proc, f"assistant: error: bad Chroma URL '{url}': {problem}")


def test_refused_connection_is_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    proc = run("--chroma-url", url, "--index", str(tmp_path), "index", "stats", timeout=120)
    assert_one_line(proc, UNREACHABLE + url)
    assert "chroma run" in proc.stderr and "--chroma-url" in proc.stderr


def test_server_hanging_up_without_an_answer_is_one_line(tmp_path: Path) -> None:
    """A listener that accepts and closes at once: httpx's RemoteProtocolError, whatever chromadb wraps it in."""
    listener = socket.create_server(("127.0.0.1", 0))

    def hang_up() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(65536)
            conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        proc = run("--chroma-url", url, "--index", str(tmp_path), "index", "stats", timeout=120)
    finally:
        listener.close()
    assert_one_line(proc, UNREACHABLE + url)


@pytest.fixture
def chroma_process(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real ``chroma run`` on a loopback port, which the test may kill."""
    url, proc = start_chroma(tmp_path / "server-data")
    yield url, proc
    proc.kill()
    proc.wait(timeout=15)


@pytest.mark.slow
@pytest.mark.server
def test_server_killed_after_the_store_opened(chroma_process, tmp_path: Path) -> None:
    from assistant.index.store import Store

    url, server = chroma_process
    store = Store(make_settings(tmp_path / "index", chroma_url=url))
    assert store.states() == {}
    server.kill()
    server.wait(timeout=15)
    with pytest.raises(StoreError, match=f"cannot reach the Chroma server at {url}: "):
        store.states(refresh=True)
    with pytest.raises(StoreError, match="chroma run"):
        store.nearest([0.0] * 384, 3)


@pytest.mark.slow
@pytest.mark.server
def test_server_killed_mid_ingest_is_one_line(chroma_process, tmp_path: Path) -> None:
    url, server = chroma_process
    index = tmp_path / "index"
    config = tmp_path / "small-batches.toml"
    config.write_text("[ingest]\nwrite_batch_chunks = 8\n")
    ingest = subprocess.Popen(
        [sys.executable, "-m", "assistant", "--chroma-url", url, "--index", str(index), "--config", str(config),
         "ingest", str(CORPUS), "--no-progress"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        while not list(index.glob("ingest-*.journal")):  # written just before each batch goes to the server
            assert ingest.poll() is None, ingest.communicate()
            assert time.monotonic() < deadline, "the ingest never started writing"
            time.sleep(0.02)
        server.send_signal(signal.SIGKILL)
        _, stderr = ingest.communicate(timeout=180)
    finally:
        ingest.kill()
    assert ingest.returncode == 1, stderr
    assert stderr.startswith(UNREACHABLE + url) and stderr.count("\n") == 1, stderr
