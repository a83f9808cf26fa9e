"""Nothing is downloaded at run time: ingest and retrieve succeed with the network blocked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE

pytestmark = pytest.mark.slow

GUARD = r'''
import ipaddress, socket, sys
attempts = []
def _local(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("localhost",)
_connect = socket.socket.connect
def connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not host.startswith("/") and not _local(host):
        attempts.append(host)
        raise OSError("network blocked by test")
    return _connect(self, address)
socket.socket.connect = connect
_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _local(str(host)):
        attempts.append(str(host))
        raise socket.gaierror("network blocked by test")
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo
from assistant.cli.main import main
code = main(sys.argv[1:])
print("BLOCKED:", attempts, file=sys.stderr)
sys.exit(code)
'''


def test_ingest_and_retrieve_with_network_blocked(tmp_path: Path) -> None:
    config = tmp_path / "offline.toml"
    models = tmp_path / "fresh-models"  # empty: the embedder files must come from installed packages
    config.write_text(f'[embed]\nmodels_dir = "{models}"\n')
    env_args = ["--index", str(tmp_path / "index"), "--config", str(config)]
    for args in (["ingest", str(SAMPLE)], ["retrieve", "Kubilius visit", "--k", "1"]):
        proc = subprocess.run([sys.executable, "-c", GUARD, *env_args, *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert "BLOCKED: []" in proc.stderr  # not even an attempt was made
    assert (models / "all-MiniLM-L6-v2" / "onnx" / "model.onnx").is_file()
    assert "Kubilius" in proc.stdout
