"""The rendered briefing note: a standalone HTML page (rendered for real in headless Chromium), and Markdown
that article fields cannot inject links or markup into."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import make_settings

from assistant.brief.model import SECTIONS, Brief, BriefArticle, Bullet, Section
from assistant.brief.render import brief_to_html, brief_to_markdown
from assistant.brief.writer import brief_articles
from assistant.core.passage import ArticleRef, Passage

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
                 if p and Path(p).is_file()), None)

TEXTS = [
    ("Council approves flood defence plan", "Riverside Gazette", "2025-03-03", "https://example.com/flood-plan",
     "The city council approved a £40 million flood defence plan on 3 March 2025 after two winters of flooding. "
     "Mayor Ana Ruiz said the plan would protect 12,000 homes along the river. \"We cannot wait for the next storm "
     "to reach our doors,\" Ruiz said. Work is expected to start in the summer and will take three years."),
    ("Residents divided over <flood> walls", "Valley News", "2025-03-04", "javascript:alert(1)",
     "Some residents criticised the flood walls, saying they would block views of the river. The council said "
     "the walls would be 1.2 metres high. Opposition leader Tom Baker said the council had ignored cheaper options. "
     "A public consultation will open next month."),
]


def _articles() -> list[BriefArticle]:
    out = []
    for i, (title, source, date, url, text) in enumerate(TEXTS):
        ref = ArticleRef(f"a{i}", title, source, date, url)
        out.append(BriefArticle(ref.id, title, source, date, url, [Passage(f"a{i}-0000", text, ref)]))
    return out


@pytest.fixture(scope="module")
def brief(embedder, tmp_path_factory) -> Brief:
    settings = make_settings(tmp_path_factory.mktemp("unused"))
    return brief_articles(_articles(), settings, topic="city flood defence plan", llm=None, embedder=embedder,
                          progress=False)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cites: list[dict[str, str]] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and "cite" in (a.get("class") or ""):
            self.cites.append(a)
        elif tag == "a":
            self.links.append(a.get("href") or "")
        if tag in ("script", "link", "img", "iframe") or (tag == "style" and a.get("src")):
            self.external.append(tag)


def test_html_is_standalone_escaped_and_links_sources(brief: Brief) -> None:
    page = brief_to_html(brief)
    parsed = _Collect()
    parsed.feed(page)
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and not parsed.external
    assert parsed.cites, "no citations"
    for cite in parsed.cites:
        assert cite["href"] == f"#p{cite['data-passage']}" and f"p{cite['data-passage']}" in parsed.ids
    assert "https://example.com/flood-plan" in parsed.links
    assert not any(h.startswith("javascript:") for h in parsed.links)  # only http(s) URLs become links
    assert "&lt;flood&gt;" in page and "<flood>" not in page
    assert page.count('class="pop"') == len(parsed.cites)  # every citation carries its passage


@pytest.mark.slow
def test_html_renders_in_headless_chromium(brief: Brief, tmp_path: Path) -> None:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium; 'make test' installs it)")
    page = tmp_path / "brief.html"
    page.write_text(brief_to_html(brief), encoding="utf-8")
    shot = tmp_path / "shot.png"
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run([*base, f"--screenshot={shot}", "--window-size=1100,1400", page.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.is_file() and shot.stat().st_size > 0, "chromium wrote no screenshot"
    from PIL import Image

    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "the screenshot is blank"
    dom = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    cites = re.findall(r'<a class="cite" href="#p(\d+)"', dom.stdout)
    assert cites and set(map(int, cites)) == set(range(1, len(brief.passages) + 1))
    assert "Bottom line" in dom.stdout and "Sources" in dom.stdout


MD_LINK = re.compile(r"(?<!\\)\[((?:[^\]\\]|\\.)*)(?<!\\)\]\(([^)\s]*)")
"""An inline Markdown link whose brackets are not backslash-escaped: (text, destination)."""


def _hostile_brief() -> Brief:
    evil_url = "https://example.com/ok) [pwn](javascript:alert(6)"
    ref = ArticleRef("x1", "Flood [plan](javascript:alert(1)) *now*", "Gazette_](javascript:alert(2))", "2025-03-03",
                     evil_url)
    wiki = ArticleRef("x2", "Wiki", "Wiki", "2025-03-04", "https://en.wikipedia.org/wiki/Flood_(disambiguation)")
    passages = [Passage("x1-0000", "Text with [a link](javascript:alert(3)) inside.", ref),
                Passage("x2-0000", "Plain text.", wiki)]
    bullet = Bullet("The council said [yes](javascript:alert(4)).", passages[:1], label="<b>Ruiz</b>",
                    supported=True, citations=[1])
    other = Bullet("- a line that starts like a list", passages[1:], supported=True, citations=[2])
    sections = [Section(key, title) for key, title in SECTIONS]
    sections[0].bullets = [other]
    sections[1].bullets = [bullet]
    articles = [BriefArticle(r.id, r.title, r.source, r.published_at, r.url, [p]) for r, p in zip((ref, wiki), passages)]
    return Brief(topic="t", title="Briefing: [t](javascript:alert(5))", date_range=("2025-03-03", "2025-03-04"),
                 sections=sections, articles=articles, passages=passages,
                 problems=[{"article_id": "x1", "title": "[p](javascript:alert(7))", "reason": "r"}])


def test_markdown_fields_cannot_inject_links() -> None:
    md = brief_to_markdown(_hostile_brief())
    links = MD_LINK.findall(md)
    assert links == [("Wiki", "https://en.wikipedia.org/wiki/Flood_%28disambiguation%29")], links
    assert "<b>" not in md
    assert "\n- a line" not in md and "\n\\- a line" in md  # a field cannot start a list item


def test_markdown_keeps_parentheses_as_written() -> None:
    md = brief_to_markdown(_hostile_brief())
    assert "\\(" not in md and "\\)" not in md  # plain text outside a link: "the European Union (EU)"
    assert "Flood \\[plan\\](javascript:alert(1))" in md  # the escaped brackets still make no link
