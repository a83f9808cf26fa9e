"""The web side of ingest against a real HTTP server on 127.0.0.1: feed formats, the polite client's
limits and failures, robots.txt, conditional GET, and an entry whose page cannot be had."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from conftest import make_settings

from assistant.core.errors import InputError
from assistant.ingest.feeds import Entry, Feed, Sources, failed, parse_every, read_feed
from assistant.ingest.fetch import FetchError, Fetcher
from assistant.ingest.web import _entry, article_from_page
from bench.newsroom import Newsroom, Route, Story, atom, json_feed, page_html, publish, rss

pytestmark = pytest.mark.server

TOWNS = ["Aberdeen", "Bergen", "Cadiz", "Dubrovnik", "Esbjerg", "Faro", "Gdansk", "Hull"]


def story(i: int) -> Story:
    town = TOWNS[i % len(TOWNS)]
    lines = [f"The harbour council of {town} voted on Tuesday to approve plan {i} for a new ferry terminal.",
             f"Officials said the terminal would cost {12 + i} million euros and open in {2027 + i % 3}.",
             f"Opponents in {town} argued that the plan ignored the fishing fleet and asked for a review.",
             "The mayor said construction would begin in spring after a final vote by the regional assembly."]
    return Story(f"story-{i}", f"{town} approves ferry terminal plan {i}", "\n".join(lines), 1764576000.0 + i * 3600)


@pytest.fixture
def site():
    with Newsroom() as server:
        yield server


@pytest.fixture
def fetch_settings(tmp_path: Path):
    return make_settings(tmp_path / "index", **{"fetch.timeout_s": 0.5, "fetch.page_deadline_s": 2.0})


@pytest.mark.parametrize("fmt,kind", [(rss, "application/rss+xml"), (atom, "application/atom+xml"),
                                      (json_feed, "application/feed+json")])
def test_each_feed_format_gives_its_entries(site: Newsroom, fetch_settings, fmt, kind) -> None:
    stories = [story(i) for i in range(3)]
    url = site.add("/feed", Route(fmt(site, stories), kind))
    with Fetcher(fetch_settings.fetch) as fetcher:
        title, entries = read_feed(fetcher.get(url))
    assert title.startswith("Loopback")
    assert [e.link for e in entries] == [site.url(f"/news/story-{i}") for i in range(3)]
    assert entries[1].title == stories[1].title
    assert entries[1].published and "ferry terminal" in entries[1].text


def test_a_feed_of_500_entries_is_read_whole(site: Newsroom, fetch_settings) -> None:
    url = site.add("/big.xml", Route(rss(site, [story(i) for i in range(500)]), "application/rss+xml"))
    with Fetcher(fetch_settings.fetch) as fetcher:
        _, entries = read_feed(fetcher.get(url))
    assert len(entries) == 500 and len({e.link for e in entries}) == 500


@pytest.mark.parametrize("body,kind,reason", [
    (b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title><item><title>a</ite", "application/xml",
     "malformed feed"),
    (b"<html><body><p>Just a page, no feed here.</p></body></html>", "text/html", "not a feed"),
    (b'{"title": "some JSON"}', "application/json", "not a feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "application/feed+json", "malformed JSON Feed"),
])
def test_what_is_not_a_feed_says_why(site: Newsroom, fetch_settings, body, kind, reason) -> None:
    url = site.add("/bad", Route(body, kind))
    with Fetcher(fetch_settings.fetch) as fetcher, pytest.raises(FetchError, match=reason):
        read_feed(fetcher.get(url))


def test_redirects_are_followed_up_to_the_limit(site: Newsroom, fetch_settings) -> None:
    publish(site, [story(1)])
    site.add("/old", Route(status=301, location="/older"))
    site.add("/older", Route(status=302, location="/news/story-1"))
    site.add("/loop", Route(status=302, location="/loop"))
    with Fetcher(fetch_settings.fetch) as fetcher:
        assert fetcher.get(site.url("/old")).url == site.url("/news/story-1")
        with pytest.raises(FetchError, match="more than 5 redirects"):
            fetcher.get(site.url("/loop"))


@pytest.mark.parametrize("route,reason", [
    (Route(b"gone", status=404), "HTTP 404"),
    (Route(b"gone", status=410), "HTTP 410"),
    (Route(b"oops", status=500), "HTTP 500"),
    (Route(b"late", delay_s=1.5), "timed out after 0.5 s"),
    (Route(b"x" * 20_000), "over the 0.01 MB cap"),
])
def test_a_failing_request_is_one_reason(site: Newsroom, tmp_path: Path, route, reason) -> None:
    settings = make_settings(tmp_path / "i", **{"fetch.timeout_s": 0.5, "fetch.max_page_mb": 0.01})
    url = site.add("/page", route)
    with Fetcher(settings.fetch) as fetcher, pytest.raises(FetchError, match=reason):
        fetcher.get(url)


def test_a_refused_connection_is_named(fetch_settings) -> None:
    with socket.socket() as sock:  # a port nobody listens on: bound, then closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with Fetcher(fetch_settings.fetch) as fetcher, pytest.raises(FetchError, match="connection refused"):
        fetcher.get(f"http://127.0.0.1:{port}/feed.xml")


def test_conditional_get_and_user_agent(site: Newsroom, fetch_settings) -> None:
    publish(site, [story(2)])
    url = site.url("/news/story-2")
    with Fetcher(fetch_settings.fetch) as fetcher:
        first = fetcher.get(url)
        again = fetcher.get(url, first.validators)
    assert first.validators.etag and first.validators.last_modified and not first.unchanged
    assert again.unchanged and again.body == b"" and site.conditional == 1
    assert site.agents == {fetch_settings.fetch.user_agent} and "news-assistant" in fetch_settings.fetch.user_agent


def test_robots_txt_is_honoured_and_the_feed_text_stands_in(site: Newsroom, fetch_settings) -> None:
    site.add("/robots.txt", Route(b"User-agent: *\nDisallow: /private/\n", "text/plain"))
    site.add("/private/story", Route(page_html(story(3))))
    entry = Entry(site.url("/private/story"), "Private", "2025-12-01", "", story(3).body)
    with Fetcher(fetch_settings.fetch) as fetcher:
        got = _entry(fetcher, Sources(fetch_settings.index / "feeds.json"), entry, "Loopback", fetch_settings)
    assert site.hits.get("/private/story") is None and site.hits["/robots.txt"] == 1
    assert got.from_feed_text and got.item.body == story(3).body


@pytest.mark.parametrize("route", [Route(b"gone", status=404), Route(b"\x89PNG\r\n\x1a\n" + b"\0" * 400, "image/png"),
                                   Route(b"<html><body><div>\x00\x01<<<</div", "text/html"), Route(b"late", delay_s=1.5)])
def test_an_entry_whose_page_cannot_be_had_uses_the_feed_text(site: Newsroom, fetch_settings, route) -> None:
    url = site.add("/news/broken", route)
    entry = Entry(url, "Broken page", "Mon, 01 Dec 2025 08:00:00 GMT", "Staff", story(4).body)
    with Fetcher(fetch_settings.fetch) as fetcher:
        got = _entry(fetcher, Sources(fetch_settings.index / "feeds.json"), entry, "Loopback", fetch_settings)
    assert got.from_feed_text and got.item.body == story(4).body
    assert got.item.url == url and got.item.published_at.startswith("2025-12-01") and got.item.source == "Loopback"


def test_no_page_and_no_feed_text_is_skipped_with_both_reasons(site: Newsroom, fetch_settings) -> None:
    entry = Entry(site.url("/news/missing"), "Missing")
    with Fetcher(fetch_settings.fetch) as fetcher:
        got = _entry(fetcher, Sources(fetch_settings.index / "feeds.json"), entry, "Loopback", fetch_settings)
    assert got.item.reason == "page: HTTP 404 Not Found; the feed has no text for it"


def test_a_page_gives_its_main_text_without_the_site_furniture(site: Newsroom, fetch_settings) -> None:
    publish(site, [story(5)], outlet="Harbour Times")
    with Fetcher(fetch_settings.fetch) as fetcher:
        article = article_from_page(fetcher.get(site.url("/news/story-5")))
    assert article.source == "Harbour Times" and article.published_at == "2025-12-01"
    assert "ferry terminal" in article.body and "Copyright" not in article.body and "Home" not in article.body


def test_at_most_per_host_requests_at_once(site: Newsroom, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "i", **{"fetch.per_host": 2, "fetch.workers": 8, "fetch.robots": False})
    url = site.add("/slow", Route(b"slow", "text/plain", delay_s=0.2))
    with Fetcher(settings.fetch) as fetcher:
        threads = [threading.Thread(target=fetcher.get, args=(url,)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert site.hits["/slow"] == 8 and site.most_in_flight == 2


def test_intervals_backoff_and_the_feed_list_file(tmp_path: Path) -> None:
    assert [parse_every(t) for t in ("90s", "30m", "6h", "1d", "15")] == [90, 1800, 21600, 86400, 900]
    with pytest.raises(InputError, match="cannot read the interval"):
        parse_every("soon")
    feed = Feed("http://127.0.0.1:9/feed", "X", every_s=1800)
    waits = []
    for _ in range(4):
        failed(feed, "HTTP 503", 1000.0, backoff_s=300, backoff_max_s=1200)
        waits.append(feed.next_due - 1000.0)
    assert waits == [300, 600, 1200, 1200] and feed.failures == 4
    sources = Sources.load(tmp_path)
    sources.feeds.append(feed)
    sources.pages["http://127.0.0.1:9/a"] = {"etag": '"e"', "last_modified": ""}
    sources.save()
    again = Sources.load(tmp_path)
    assert again.feeds == [feed] and again.page_validators("http://127.0.0.1:9/a").etag == '"e"'
    assert [p.name for p in tmp_path.iterdir()] == ["feeds.json"]
