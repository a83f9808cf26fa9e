"""Paths named on the command line are sorted out by the loaders, which say what is wrong with each: a
symlink loop is a loop (not "no such file"), a file in an unreadable folder is unreadable (not a traceback)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from test_hostile_input import OTHER, unprivileged


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)


def test_symlink_loop_named_directly_is_called_a_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    proc = cli("--index", str(tmp_path / "index"), "ingest", str(loop))
    assert proc.returncode == 1
    assert proc.stderr == (f"skipped {loop}: symlink loop\n"
                           "assistant: error: nothing usable was ingested (see the reasons above)\n")


def test_missing_path_is_reported_beside_the_good_ones(tmp_path: Path) -> None:
    good = tmp_path / "ferry.txt"
    good.write_text(OTHER)
    proc = cli("--index", str(tmp_path / "index"), "ingest", str(tmp_path / "gone.txt"), str(good))
    assert proc.returncode == 0, proc.stderr
    assert f"skipped {tmp_path / 'gone.txt'}: no such file or folder" in proc.stderr
    assert proc.stdout.startswith("1 added")


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "article.txt").write_text(OTHER)
    folder.chmod(0)
    yield folder / "article.txt"
    folder.chmod(0o700)


def test_file_in_unreadable_folder_named_directly_is_reported(locked: Path, tmp_path: Path) -> None:
    proc = unprivileged(sys.executable, "-m", "assistant", "--index", str(tmp_path / "index"), "ingest", str(locked))
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == (f"skipped {locked}: cannot read: Permission denied\n"
                           "assistant: error: nothing usable was ingested (see the reasons above)\n")
