"""HTTP for feeds, pages and sitemaps: one polite client.

Timeouts per step and a deadline per response, bounded redirects, a size cap, a ``User-Agent`` naming
the project, conditional GET (ETag / Last-Modified), robots.txt honoured and at most
``fetch.per_host`` requests in flight to one host. Every failure is a ``FetchError`` with a one-line
reason, so a caller reports it and carries on.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from ..core.settings import FetchSettings


class FetchError(Exception):
    """A request that gave nothing usable; ``str()`` is the reason shown to the user."""


@dataclass(frozen=True)
class Validators:
    """What a server said identifies a response, sent back on the next request."""

    etag: str = ""
    last_modified: str = ""

    def headers(self) -> dict[str, str]:
        sent = {}
        if self.etag:
            sent["If-None-Match"] = self.etag
        if self.last_modified:
            sent["If-Modified-Since"] = self.last_modified
        return sent


@dataclass(frozen=True)
class Page:
    """A response: ``unchanged`` when the server answered 304 to a conditional GET (no body then)."""

    url: str
    body: bytes
    content_type: str
    validators: Validators
    unchanged: bool = False

    @property
    def text(self) -> str:
        import httpx

        return httpx.Response(200, content=self.body, headers={"content-type": self.content_type}).text


class Fetcher:
    """A thread-safe client; use as a context manager so its connections are closed."""

    def __init__(self, settings: FetchSettings) -> None:
        import httpx

        self.settings = settings
        self.client = httpx.Client(
            timeout=httpx.Timeout(settings.timeout_s), follow_redirects=True, max_redirects=settings.max_redirects,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=settings.workers),
        )
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.Semaphore] = {}
        self._robots: dict[str, RobotFileParser | None] = {}
        self.requests = 0

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.client.close()

    def get(self, url: str, validators: Validators | None = None, check_robots: bool = True) -> Page:
        """GET ``url`` (conditionally when ``validators`` are given); raises ``FetchError`` with the reason."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FetchError(f"not an http(s) URL: {url}")
        if check_robots and self.settings.robots and not self.allowed(url):
            raise FetchError("disallowed by robots.txt")
        with self._host(parts.netloc):
            return self._get(url, validators)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets this client fetch ``url`` (read once per host; unreachable = allowed)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            known = origin in self._robots
        if not known:
            parser = self._read_robots(origin)
            with self._lock:
                self._robots[origin] = parser
        parser = self._robots[origin]
        return parser is None or parser.can_fetch(self.settings.user_agent, url)

    def _read_robots(self, origin: str) -> RobotFileParser | None:
        """The host's rules, as ``urllib.robotparser`` reads them: 401/403 disallow all, other errors none."""
        parser = RobotFileParser(origin + "/robots.txt")
        try:
            with self._host(urlsplit(origin).netloc):
                page = self._get(origin + "/robots.txt", None)
        except _StatusError as exc:
            if exc.status in (401, 403):
                parser.disallow_all = True
                return parser
            return None
        except FetchError:
            return None
        parser.parse(page.text.splitlines())
        return parser

    def _host(self, netloc: str) -> threading.Semaphore:
        with self._lock:
            return self._hosts.setdefault(netloc, threading.BoundedSemaphore(self.settings.per_host))

    def _get(self, url: str, validators: Validators | None) -> Page:
        import httpx

        with self._lock:
            self.requests += 1
        try:
            with self.client.stream("GET", url, headers=(validators or Validators()).headers()) as response:
                return self._read(response, validators)
        except httpx.TooManyRedirects:
            raise FetchError(f"more than {self.settings.max_redirects} redirects (fetch.max_redirects)") from None
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {self.settings.timeout_s:g} s (fetch.timeout_s)") from None
        except httpx.ConnectError as exc:
            raise FetchError(_connect_reason(exc)) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"HTTP error: {type(exc).__name__}: {exc}") from None

    def _read(self, response, validators: Validators | None) -> Page:  # response: httpx.Response
        final = str(response.url)
        if response.status_code == 304 and validators is not None:
            return Page(final, b"", "", validators, unchanged=True)
        if response.status_code >= 400:
            raise _StatusError(response.status_code, response.reason_phrase)
        cap = int(self.settings.max_page_mb * 1e6)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(_too_big(int(declared), cap))
        deadline = time.monotonic() + self.settings.page_deadline_s
        body = bytearray()
        for piece in response.iter_bytes():
            body.extend(piece)
            if len(body) > cap:
                raise FetchError(_too_big(len(body), cap))
            if time.monotonic() > deadline:
                raise FetchError(f"took over {self.settings.page_deadline_s:g} s (fetch.page_deadline_s)")
        got = Validators(response.headers.get("etag", ""), response.headers.get("last-modified", ""))
        return Page(final, bytes(body), response.headers.get("content-type", ""), got)


class _StatusError(FetchError):
    def __init__(self, status: int, phrase: str) -> None:
        super().__init__(f"HTTP {status} {phrase}".strip())
        self.status = status


def _too_big(size: int, cap: int) -> str:
    return f"response over the {cap / 1e6:g} MB cap (fetch.max_page_mb; got {size / 1e6:.1f} MB or more)"


def _connect_reason(exc: Exception) -> str:
    """DNS failures and refused connections in plain words (httpx passes the socket error's text on)."""
    text = str(exc)
    lowered = text.lower()
    if "name or service not known" in lowered or "nodename nor servname" in lowered or "name resolution" in lowered:
        return "host name not found (DNS)"
    if "refused" in lowered:
        return "connection refused"
    return f"cannot connect: {text}"
