"""A news site on loopback for tests and ``make bench-fetch``: feeds and article pages served by a real
``http.server`` in a thread, with ETag / Last-Modified conditional GET, redirects, errors and hangs.

Only 127.0.0.1 is ever bound or named in the documents it serves.
"""

from __future__ import annotations

import email.utils
import hashlib
import html
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str = ""  # a redirect's target
    delay_s: float = 0.0  # sleep before answering (a hang past the client's timeout)
    validators: bool = True  # send ETag and Last-Modified, answer 304 to a matching conditional GET
    modified: float = field(default_factory=lambda: time.time() - 3600)


class Newsroom:
    """``with Newsroom() as site: site.add('/feed.xml', Route(...)); site.url('/feed.xml')``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.agents: set[str] = set()
        self.conditional = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Newsroom:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route) -> str:
        self.routes[path] = route
        return self.url(path)

    def requests(self) -> int:
        return sum(self.hits.values())

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path = self.path.split("?", 1)[0]
                with site._lock:
                    site.hits[path] = site.hits.get(path, 0) + 1
                    site.agents.add(self.headers.get("User-Agent", ""))
                    site.in_flight += 1
                    site.most_in_flight = max(site.most_in_flight, site.in_flight)
                try:
                    self._answer(path)
                finally:
                    with site._lock:
                        site.in_flight -= 1

            def _answer(self, path: str) -> None:
                route = site.routes.get(path)
                if route is None:
                    return self._send(404, b"not found", "text/plain")
                if route.delay_s:
                    time.sleep(route.delay_s)
                if route.location:
                    return self._send(route.status, b"", "text/plain", {"Location": site.url(route.location)})
                headers = {}
                if route.validators and route.status == 200:
                    etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                    modified = email.utils.formatdate(route.modified, usegmt=True)
                    headers = {"ETag": etag, "Last-Modified": modified}
                    # as HTTP has it (RFC 9110 13.2.2): a client's ETag decides; the date only without one, for
                    # a body replaced within the same second keeps its Last-Modified
                    tag = self.headers.get("If-None-Match")
                    if tag == etag if tag is not None else self.headers.get("If-Modified-Since") == modified:
                        with site._lock:
                            site.conditional += 1
                        return self._send(304, b"", route.content_type, headers)
                self._send(route.status, route.body, route.content_type, headers)

            def _send(self, status: int, body: bytes, kind: str, headers: dict | None = None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    if status != 304:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


@dataclass(frozen=True)
class Story:
    """One article as the site publishes it."""

    slug: str
    title: str
    body: str
    published: float = 1764576000.0  # 2025-12-01
    author: str = "Staff"


def page_html(story: Story, outlet: str = "Loopback News") -> bytes:
    """An article page as a news site serves it: navigation, the article, a footer."""
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in story.body.split("\n") if p.strip())
    date = time.strftime("%Y-%m-%d", time.gmtime(story.published))
    return (f"<!doctype html><html><head><title>{html.escape(story.title)}</title>"
            f'<meta property="og:site_name" content="{outlet}"><meta name="date" content="{date}"></head>'
            f'<body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>{html.escape(story.title)}</h1>'
            f"{paras}</article><footer>Copyright {outlet}</footer></body></html>").encode()


def rss(site: Newsroom, stories: list[Story], title: str = "Loopback News", summary_chars: int = 0) -> bytes:
    """An RSS 2.0 feed whose descriptions are the stories' text (its first ``summary_chars`` when given)."""
    items = "".join(
        f"<item><title>{html.escape(s.title)}</title><link>{site.url('/news/' + s.slug)}</link>"
        f"<guid>{site.url('/news/' + s.slug)}</guid><pubDate>{email.utils.formatdate(s.published, usegmt=True)}</pubDate>"
        f"<description>{html.escape(s.body[:summary_chars] if summary_chars else s.body)}</description></item>"
        for s in stories)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>{site.base}</link><description>news</description>{items}</channel></rss>").encode()


def atom(site: Newsroom, stories: list[Story], title: str = "Loopback Atom") -> bytes:
    entries = "".join(
        f"<entry><title>{html.escape(s.title)}</title><link href=\"{site.url('/news/' + s.slug)}\"/>"
        f"<id>{site.url('/news/' + s.slug)}</id><updated>{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(s.published))}</updated>"
        f"<author><name>{s.author}</name></author><content type=\"html\">{html.escape(s.body)}</content></entry>"
        for s in stories)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>'
            f"<id>{site.base}/</id><updated>2025-12-01T00:00:00Z</updated>{entries}</feed>").encode()


def json_feed(site: Newsroom, stories: list[Story], title: str = "Loopback JSON") -> bytes:
    items = [{"id": s.slug, "url": site.url("/news/" + s.slug), "title": s.title, "content_text": s.body,
              "date_published": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s.published)),
              "authors": [{"name": s.author}]} for s in stories]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": title, "items": items}).encode()


def sitemap(site: Newsroom, paths: list[str], index: bool = False) -> bytes:
    tag, inner = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    locs = "".join(f"<{inner}><loc>{site.url(p)}</loc></{inner}>" for p in paths)
    return (f'<?xml version="1.0" encoding="UTF-8"?><{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{locs}</{tag}>").encode()


def publish(site: Newsroom, stories: list[Story], outlet: str = "Loopback News") -> None:
    """Each story's page at /news/SLUG."""
    for story in stories:
        site.add("/news/" + story.slug, Route(page_html(story, outlet)))
