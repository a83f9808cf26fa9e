"""Input that tries to get lost or to get in: unreadable folders, deeply nested JSON, escape codes in articles."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, make_settings

LIST = """
import json, sys
from assistant.ingest.loaders import Skipped, discover
print(json.dumps([[e.path, e.reason] if isinstance(e, Skipped) else str(e) for e in discover(sys.argv[1:])]))
"""
DENIED = "cannot read folder: Permission denied"
OTHER = ("Ferry fares rise\n\nThe regional ferry operator raised its fares by four per cent on Tuesday, citing fuel "
         "costs, and said winter timetables would keep the late crossings that commuters had asked for.\n")


def unprivileged(*command: str) -> subprocess.CompletedProcess:
    """Run ``command`` without root's right to read any folder (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so that
    permissions hold for it as for any user. Not by switching to 'nobody': the interpreter lives under /root."""
    drop: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        drop = [setpriv or "setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
        if setpriv is None or subprocess.run([*drop, "true"], check=False, capture_output=True).returncode:
            pytest.skip("running as root, which reads any folder, without setpriv or the right to drop that capability")
    return subprocess.run([*drop, *command], check=False, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Path]:
    """news/a/x.txt, news/b/ (mode 000, with an article inside), news/c/y.txt."""
    base = tmp_path / "news"
    for name, text in (("a", SAMPLE.read_text()), ("b", OTHER), ("c", OTHER.replace("four", "five"))):
        (base / name).mkdir(parents=True)
        (base / name / "article.txt").write_text(text)
    (base / "b").chmod(0)
    yield base
    (base / "b").chmod(0o700)


def test_unreadable_folder_is_listed_as_skipped(tree: Path) -> None:
    proc = unprivileged(sys.executable, "-c", LIST, str(tree))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [str(tree / "a" / "article.txt"), [str(tree / "b"), DENIED],
                                       str(tree / "c" / "article.txt")]


@pytest.mark.slow
def test_unreadable_folder_is_reported_by_ingest(tree: Path, tmp_path: Path) -> None:
    proc = unprivileged(sys.executable, "-m", "assistant", "--index", str(tmp_path / "index"), "ingest", str(tree))
    assert proc.returncode == 0, proc.stderr
    assert f"skipped {tree / 'b'}: {DENIED}" in proc.stderr
    assert proc.stdout.startswith("2 added, 0 updated, 0 unchanged, 1 skipped")


def test_unreadable_folder_alone_says_why_nothing_was_ingested(tree: Path, tmp_path: Path) -> None:
    proc = unprivileged(sys.executable, "-m", "assistant", "--index", str(tmp_path / "index"), "ingest", str(tree / "b"))
    assert proc.returncode == 1
    assert proc.stderr == (f"skipped {tree / 'b'}: {DENIED}\n"
                           "assistant: error: nothing usable was ingested (see the reasons above)\n")


TITLE = "Harbour\x1b[2J pier closes\x07"
BODY = ("The harbour authority closed the old pier\x1b[31m on Monday\x07 after a storm damaged its pilings. "
        "Engineers from the harbour authority said repairs to the pier would take until spring.\x1b]0;pwned\x07")
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile_index(index_copy: Path, embedder) -> Path:
    """An index holding an article with escape codes, as stored before the loaders stripped them."""
    from assistant.core.article import Article
    from assistant.index.store import Store

    article = Article(title=TITLE, body=BODY, source="Bugle\x9b", published_at="2023-10-05",
                      url="https://bugle.example/pier\x1b[8m")
    Store(make_settings(index_copy)).write([(article, [BODY], embedder.embed([BODY]))])
    return index_copy


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["retrieve", "Why did the harbour authority close the old pier?", "--k", "2"], id="retrieve"),
        pytest.param(["index", "list"], id="index-list"),
        pytest.param(["index", "stats"], id="index-stats"),
        pytest.param(["ask", "Why did the harbour authority close the old pier?", "--llm", "none"], id="ask"),
    ],
)
def test_escape_codes_in_articles_never_reach_the_terminal(hostile_index: Path, command: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "assistant", "--index", str(hostile_index), *command], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Bugle" in proc.stdout  # the article is shown...
    assert not CONTROLS.findall(proc.stdout)  # ...without its control characters


@pytest.mark.slow
def test_deeply_nested_json_is_skipped_and_the_files_beside_it_ingested(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    good = {"title": "Harbour pier closes", "body": BODY.replace("\x1b", "").replace("\x07", ""), "date": "2023-10-05"}
    (folder / "a-deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "b-feed.jsonl").write_text("\n".join([
        json.dumps(good), "[" * 5000 + "]" * 5000, json.dumps({**good, "title": "Pier repairs", "body": good["body"] + " Ferries moved.", "date": "2023-10-06"})]))
    (folder / "c-sample.txt").write_text(SAMPLE.read_text())
    proc = subprocess.run([sys.executable, "-m", "assistant", "--index", str(tmp_path / "index"), "ingest",
                           str(folder), "--json"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["added"] == 3
    assert report["skipped"] == [
        {"path": str(folder / "a-deep.json"), "reason": "JSON nested too deeply to be an article"},
        {"path": f"{folder / 'b-feed.jsonl'}:2", "reason": "JSON nested too deeply to be an article"},
    ]
