"""The same ingest and retrieval through a real ``chroma run`` server on a loopback port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import MINI_CORPUS, ROOT, SAMPLE

pytestmark = [pytest.mark.slow, pytest.mark.server]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_chroma(data: Path) -> tuple[str, subprocess.Popen]:
    """A real ``chroma run`` on a free loopback port, once its heartbeat answers (it exits 0 even if the port is
    taken, so the heartbeat is the only proof)."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                return url, proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"chroma server did not start on port {port}")
            time.sleep(0.2)


@pytest.fixture
def chroma_server(tmp_path: Path):
    """A real Chroma server, stopped after the test."""
    url, proc = start_chroma(tmp_path / "server-data")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_ingest_and_retrieve_through_server(chroma_server: str, tmp_path: Path) -> None:
    common = ["--chroma-url", chroma_server, "--index", str(tmp_path / "sidecar")]
    proc = run(*common, "ingest", str(SAMPLE), str(MINI_CORPUS), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["added"] == 5
    assert json.loads(run(*common, "ingest", str(SAMPLE), "--json").stdout)["unchanged"] == 1
    assert not (tmp_path / "sidecar" / "chroma").exists()  # vectors live on the server

    proc = run(*common, "retrieve", "Who is Andrius Kubilius?", "--k", "3", "--json")
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)["results"]
    assert any("Kubilius" in r["text"] for r in results)

    stats = json.loads(run(*common, "index", "stats", "--json").stdout)
    assert stats["articles"] == 5 and stats["location"] == chroma_server

    filtered = json.loads(run(*common, "retrieve", "jury trial", "--source", "the verge", "--json").stdout)
    assert filtered["results"] and {r["article"]["source"] for r in filtered["results"]} == {"The Verge"}


def test_unreachable_server_is_one_line(tmp_path: Path) -> None:
    proc = run("--chroma-url", f"http://127.0.0.1:{free_port()}", "--index", str(tmp_path), "retrieve", "x")
    assert proc.returncode == 1
    assert proc.stderr.startswith("assistant: error: cannot reach the Chroma server") and proc.stderr.count("\n") == 1
