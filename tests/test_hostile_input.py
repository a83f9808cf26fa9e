"""Input that tries to get lost or to get in: unreadable folders, escape codes in articles."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, make_settings

NOBODY = 65534
# Root reads any folder, so the listing runs in a child that drops to ``nobody`` first. It drops after
# importing, not in a preexec_fn: the interpreter lives under /root, which ``nobody`` cannot enter.
LIST_AS_NOBODY = f"""
import json, os, sys
from assistant.ingest.loaders import Skipped, discover
if os.geteuid() == 0:
    try:
        os.setgid({NOBODY})
        os.setuid({NOBODY})
    except PermissionError:
        sys.exit(77)
print(json.dumps([[e.path, e.reason] if isinstance(e, Skipped) else str(e) for e in discover(sys.argv[1:])]))
"""


@pytest.fixture
def tree() -> Iterator[Path]:
    """a/x.txt, b/ (mode 000, with a file inside), c/y.txt, in a folder ``nobody`` can reach and owns."""
    base = Path(tempfile.mkdtemp(prefix="hostile-", dir="/tmp"))
    for name, file in (("a", "x.txt"), ("b", "hidden.txt"), ("c", "y.txt")):
        (base / name).mkdir()
        (base / name / file).write_text("Title\n\nA body of text.")
    if os.geteuid() == 0:
        for path in (base, *base.rglob("*")):
            os.chown(path, NOBODY, NOBODY)
    (base / "b").chmod(0)
    yield base
    (base / "b").chmod(0o700)
    shutil.rmtree(base)


def list_unprivileged(*paths: Path) -> list:
    proc = subprocess.run([sys.executable, "-c", LIST_AS_NOBODY, *map(str, paths)], check=False, cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode == 77:
        pytest.skip("running as root without the right to switch to 'nobody', so every folder is readable")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_unreadable_folder_is_skipped_with_a_reason(tree: Path) -> None:
    found = list_unprivileged(tree)
    assert found == [str(tree / "a" / "x.txt"), [str(tree / "b"), "cannot read folder: Permission denied"],
                     str(tree / "c" / "y.txt")]


def test_unreadable_folder_alone_is_reported(tree: Path) -> None:
    assert list_unprivileged(tree / "b") == [[str(tree / "b"), "cannot read folder: Permission denied"]]


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
