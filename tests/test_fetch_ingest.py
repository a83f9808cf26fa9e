"""``assistant feeds`` / ``fetch`` / ``ingest URL`` end to end: a real loopback site, the real embedder and
Chroma; failing feeds reported and backed off; a second fetch is conditional GETs; kill -9 loses nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, make_settings
from test_fetch_http import story

from assistant.cli.main import main
from assistant.index.store import Store
from bench.newsroom import Newsroom, Route, atom, publish, rss, sitemap

pytestmark = [pytest.mark.server, pytest.mark.slow]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_feeds_fetched_ingested_and_polled_again_conditionally(tmp_path: Path, capsys) -> None:
    index = str(tmp_path / "index")
    with Newsroom() as site:
        stories = [story(i) for i in range(9)]
        publish(site, stories[:5] + stories[6:])  # story-5's page is gone: its feed text is used
        site.add("/rss.xml", Route(rss(site, stories[:6]), "application/rss+xml"))
        site.add("/atom.xml", Route(atom(site, stories[6:]), "application/atom+xml"))
        site.add("/gone.xml", Route(b"gone", status=410))
        site.add("/page.html", Route(b"<html><body><p>hello</p></body></html>"))
        for path in ("/rss.xml", "/atom.xml", "/gone.xml", "/page.html"):
            assert run_cli(capsys, "--index", index, "feeds", "add", site.url(path), "--every", "1h")[0] == 0
        code, out, _ = run_cli(capsys, "--index", index, "fetch", "--json")
        first = json.loads(out)
        assert code == 0 and (first["added"], first["unchanged"], first["from_feed_text"]) == (9, 0, 1)
        reasons = {f["url"].rsplit("/", 1)[1]: f["reason"] for f in first["feeds"] if f["status"] == "failed"}
        assert reasons == {"gone.xml": "HTTP 410 Gone", "page.html": "not a feed (no RSS, Atom or JSON Feed found)"}
        assert {f["name"] for f in first["feeds"] if f["status"] == "ok"} == {"Loopback News", "Loopback Atom"}

        code, out, err = run_cli(capsys, "--index", index, "fetch")  # nothing is due yet
        assert code == 0 and out.startswith("0 feeds polled")

        site.add("/rss.xml", Route(rss(site, stories[:6] + [story(9)]), "application/rss+xml"))
        publish(site, [story(9)])
        before = dict(site.hits)
        code, out, _ = run_cli(capsys, "--index", index, "fetch", "--all", "--json")
        again = json.loads(out)
        assert (again["added"], again["updated"], again["unchanged"]) == (1, 0, 6)
        assert {f["status"] for f in again["feeds"]} == {"ok", "unchanged", "failed"}
        assert site.conditional >= 5 + 1  # five old pages and the Atom feed answered 304
        assert site.hits["/news/story-9"] - before.get("/news/story-9", 0) == 1
        code, out, _ = run_cli(capsys, "--index", index, "feeds", "list")
        assert "failing x2: HTTP 410 Gone" in out
    assert len(Store(make_settings(Path(index))).states()) == 10


def test_ingest_takes_article_urls_and_sitemaps(tmp_path: Path, capsys) -> None:
    index = str(tmp_path / "index")
    with Newsroom() as site:
        publish(site, [story(i) for i in range(4)])
        site.add("/sitemap-news.xml", Route(sitemap(site, ["/news/story-0", "/news/story-1", "/news/nope"]),
                                            "application/xml"))
        site.add("/sitemap.xml", Route(sitemap(site, ["/sitemap-news.xml"], index=True), "application/xml"))
        code, out, err = run_cli(capsys, "--index", index, "ingest", site.url("/sitemap.xml"),
                                 site.url("/news/story-3"), "--json")
    report = json.loads(out)
    assert code == 0 and report["added"] == 3
    assert report["skipped"] == [{"path": site.url("/news/nope"), "reason": "HTTP 404 Not Found"}]


def test_kill_9_during_fetch_loses_nothing(tmp_path: Path) -> None:
    index = tmp_path / "index"
    config = tmp_path / "small-batches.toml"
    config.write_text("[ingest]\nwrite_batch_chunks = 3\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ASSISTANT_INDEX": str(index), "ASSISTANT_CONFIG": str(config)}
    command = [sys.executable, "-m", "assistant", "fetch", "--no-progress", "--json"]
    with Newsroom() as site:
        stories = [story(i) for i in range(40)]
        publish(site, stories)
        site.add("/rss.xml", Route(rss(site, stories), "application/rss+xml"))
        subprocess.run([sys.executable, "-m", "assistant", "feeds", "add", site.url("/rss.xml")], env=env, check=True,
                       capture_output=True)
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not list(index.glob("ingest-*.journal")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "fetch ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        partial = len(Store(make_settings(index)).states(refresh=True))
        assert partial < 40
        rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    report = json.loads(rerun.stdout)
    assert rerun.returncode == 0, rerun.stderr
    assert report["added"] + report["unchanged"] == 40 and report["added"] == 40 - partial
    assert len(Store(make_settings(index)).states(refresh=True)) == 40


def test_when_every_feed_fails_fetch_says_why_and_exits_1(tmp_path: Path, capsys) -> None:
    index = str(tmp_path / "index")
    with Newsroom() as site:
        url = site.add("/feed.xml", Route(b"down", status=503))
        assert run_cli(capsys, "--index", index, "feeds", "add", url, "--name", "Down")[0] == 0
        code, out, err = run_cli(capsys, "--index", index, "fetch")
    assert code == 1
    assert f"feed {url}: HTTP 503 Service Unavailable (retry in 5 min)" in err
    assert "every feed polled failed" in err
    assert run_cli(capsys, "--index", index, "feeds", "remove", "Down") == (0, f"removed {url}\n", "")
    assert run_cli(capsys, "--index", index, "fetch")[2] == "assistant: error: no feeds to fetch (assistant feeds add URL)\n"
