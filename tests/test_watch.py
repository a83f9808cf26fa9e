"""``assistant watch``: fetch, then a briefing whose "since last time" part covers only what is new."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from test_stories import OTHER, PARAS

from assistant.cli.main import main
from bench.newsroom import Newsroom, Route, Story, publish, rss

pytestmark = [pytest.mark.server, pytest.mark.slow]


def port_story(slug: str, lead: str, paras: list[int], hour: int) -> Story:
    return Story(slug, lead.split(",")[0], "\n".join([lead, *(PARAS[i] for i in paras)]), 1764576000.0 + hour * 3600)


def test_watch_once_writes_dated_notes_and_then_only_what_is_new(tmp_path: Path, capsys) -> None:
    index, out = str(tmp_path / "index"), tmp_path / "briefs"
    first = [port_story("port-0", "Valmora port strike halts cranes, the port authority of Valmora said on Monday.",
                        [0, 1, 2], 0), Story("concert", "Orchestra season opens", "\n".join(OTHER))]
    later = [port_story("port-3", "Valmora port strike ends, crane operators at the port of Valmora said on Wednesday.",
                        [3, 4, 7], 48)]
    with Newsroom() as site:
        publish(site, first + later)
        site.add("/rss.xml", Route(rss(site, first), "application/rss+xml"))
        assert main(["--index", index, "feeds", "add", site.url("/rss.xml"), "--every", "1s"]) == 0
        argv = ["--index", index, "--llm", "none", "watch", "Valmora port strike", "--out", str(out), "--once",
                "--no-progress"]
        assert main(argv) == 0
        notes = sorted(out.glob("*.md"))
        assert len(notes) == 1 and notes[0].name.startswith("valmora-port-strike-20")
        assert {p.suffix for p in out.glob("valmora-*")} == {".md", ".html", ".json"}
        assert "First note on this topic" in notes[0].read_text()

        time.sleep(1.1)  # the feed is due again, and the next note's file name is another second's
        site.add("/rss.xml", Route(rss(site, first + later), "application/rss+xml"))
        assert main(argv) == 0
        assert len(list(out.glob("*.md"))) == 2
    capsys.readouterr()
    newest = max(out.glob("valmora-*.json"), key=lambda p: p.name)
    doc = json.loads(newest.read_text())
    assert doc["previous_run"] and doc["since_last_time"] is not None
    assert [a["title"] for a in doc["since_last_time"]["sources"]] == ["Valmora port strike ends"]
    assert doc["stories"][0]["outlets"] == ["Loopback News"]
    md = max(out.glob("valmora-*.md"), key=lambda p: p.name).read_text()
    assert md.startswith("# Since last time") and "New since" in md and "reported by 1 outlet" in md
    assert md.index("Since last time") < md.index("---") < md.rindex("Valmora")
    html = max(out.glob("valmora-*.html"), key=lambda p: p.name).read_text()
    assert html.index('class="since-last-time"') < html.index('id="bottom_line"')
