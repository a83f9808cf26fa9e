"""A full disk under an embedded index: one line, nothing half-written, and reads keep working on what was
committed. Runs on a small tmpfs (we mount one; skipped where mounting is not allowed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from test_hostile_input import OTHER

LINE = "assistant: error: the disk holding {index} is full: "


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 20 MB tmpfs."""
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mount)], capture_output=True, text=True,
                          check=False)
    if proc.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip() or 'mount failed'}); the disk-full tests need one")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def cli(index: Path, *args: str, config: Path | None = None) -> subprocess.CompletedProcess:
    extra = ["--config", str(config)] if config else []
    return subprocess.run([sys.executable, "-m", "assistant", "--index", str(index), *extra, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)


def fill(disk: Path, leave_mb: float) -> None:
    """Fill ``disk`` up to ``leave_mb`` MB free."""
    free = shutil.disk_usage(disk).free - int(leave_mb * 1e6)
    with open(disk / "filler", "wb") as handle:
        while free > 0:
            chunk = min(free, 1 << 20)
            try:
                handle.write(b"\0" * chunk)
                handle.flush()
            except OSError:
                break
            free -= chunk
        os.fsync(handle.fileno())


def article(tmp_path: Path, name: str, word: str) -> Path:
    path = tmp_path / f"{name}.txt"
    path.write_text(OTHER.replace("four", word))
    return path


@pytest.mark.slow
def test_ingest_stops_before_a_batch_when_space_is_low_and_reads_go_on(disk: Path, built_index: Path,
                                                                       tmp_path: Path) -> None:
    index = disk / "index"
    shutil.copytree(built_index, index)
    config = tmp_path / "low.toml"
    config.write_text("[ingest]\nmin_free_mb = 8\n")
    fill(disk, 6)
    proc = cli(index, "ingest", str(article(tmp_path, "a", "six")), config=config)
    assert proc.returncode == 1
    assert proc.stderr.startswith(LINE.format(index=index)) and proc.stderr.endswith(" MB free; free space and rerun\n")
    assert proc.stderr.count("\n") == 1
    stats = cli(index, "index", "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert '"articles": 5' in stats.stdout
    found = cli(index, "retrieve", "ferry fares", "--k", "2")
    assert found.returncode == 0, found.stderr


@pytest.mark.slow
def test_a_disk_that_fills_mid_ingest_is_one_line_and_reads_keep_working(disk: Path, built_index: Path,
                                                                         tmp_path: Path) -> None:
    index = disk / "index"
    shutil.copytree(built_index, index)
    config = tmp_path / "none.toml"
    config.write_text("[ingest]\nmin_free_mb = 0\n")
    for folder in index.glob("bm25-*"):  # readers must build the sidecar again, with no room on the disk
        shutil.rmtree(folder)
    fill(disk, 0)
    proc = cli(index, "ingest", str(article(tmp_path, "b", "seven")), config=config)
    assert proc.returncode == 1
    assert proc.stderr.startswith(LINE.format(index=index)), proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    for args in (["index", "stats"], ["retrieve", "ferry fares", "--k", "2"], ["--llm", "none", "ask", "What did the EU offer India?"]):
        got = cli(index, *args)
        assert got.returncode == 0, (args, got.stderr)
        assert "Traceback" not in got.stderr
    (disk / "filler").unlink()
    rerun = cli(index, "ingest", str(article(tmp_path, "b", "seven")), config=config)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.startswith("1 added")
