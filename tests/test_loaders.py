"""Loaders: every supported format, and every kind of bad input skipped with a one-line reason."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from conftest import MINI_CORPUS, SAMPLE

from assistant.core.article import Article
from assistant.ingest.loaders import Skipped, discover, load_path

MB = 1_000_000


def load(path: Path, cap: int = 20 * MB) -> list:
    return list(load_path(path, cap))


def test_sample_text_article_with_date_line() -> None:
    [article] = load(SAMPLE)
    assert isinstance(article, Article)
    assert article.title == "EU explores security and defence pact with India"
    assert article.published_at == "2025-02-28"
    assert article.body.startswith("NEW DELHI: The European Union (EU) is exploring")
    assert "date 2025" not in article.body


def test_markdown_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: Rates held\nsource: The Age\nauthor: A. Writer\ndate: 5 October 2023\n"
                    "url: https://example.com/rates?utm=x\n---\n\nThe central bank held rates at 4.1 per cent on Tuesday.\n")
    [article] = load(path)
    assert (article.title, article.source, article.author) == ("Rates held", "The Age", "A. Writer")
    assert article.published_at == "2023-10-05"
    assert article.id == Article(title="other", body="x", url="https://example.com/rates").id  # URL-based id
    assert article.body == "The central bank held rates at 4.1 per cent on Tuesday."


def test_html_main_text_and_meta_tags(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    body = " ".join(["The council approved the new budget after a long debate about transport funding."] * 4)
    path.write_text(
        "<html><head><title>Council passes budget | Daily Bugle</title>"
        '<meta property="og:title" content="Council passes budget">'
        '<meta property="og:site_name" content="Daily Bugle">'
        '<meta name="author" content="Jane Doe">'
        '<meta property="article:published_time" content="2023-11-02T10:00:00Z">'
        '<link rel="canonical" href="https://bugle.example/council-budget"></head>'
        f"<body><nav>Home | Sport | Weather</nav><article><h1>Council passes budget</h1><p>{body}</p>"
        f"<p>Opposition members said the plan was rushed.</p></article><footer>© Bugle</footer></body></html>")
    [article] = load(path)
    assert isinstance(article, Article), article
    assert article.title == "Council passes budget"
    assert article.source == "Daily Bugle"
    assert article.author == "Jane Doe"
    assert article.published_at.startswith("2023-11-02")
    assert "approved the new budget" in article.body and "Weather" not in article.body


def test_multihop_corpus_loads_as_is() -> None:
    items = load(MINI_CORPUS)
    assert all(isinstance(a, Article) for a in items) and len(items) == 4
    first = json.loads(MINI_CORPUS.read_text())[0]
    assert items[0].source == first["source"] and items[0].url == first["url"]
    assert items[0].published_at == "2023-10-04T23:32:53+00:00"


def test_jsonl_bad_line_is_skipped_alone(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    good = {"title": "Ok", "text": "A body long enough to keep as an article, with facts.", "date": "2023-10-01"}
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({**good, "title": "Ok 2"}) + "\n")
    items = load(path)
    assert [type(i).__name__ for i in items] == ["Article", "Skipped", "Article"]
    assert items[1].path.endswith("feed.jsonl:2") and "line 2, column 2" in items[1].reason


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        pytest.param("empty.txt", b"", "empty file", id="empty"),
        pytest.param("blank.md", b"   \n\n", "empty file", id="whitespace-only"),
        pytest.param("bin.txt", b"\x89PNG\x00\x00\x01", "binary", id="binary"),
        pytest.param("latin.txt", "Caf\xe9 news".encode("latin-1"), "not UTF-8", id="undecodable"),
        pytest.param("bad.json", b'{"title": "x",\n "body": }', "line 2, column 10", id="malformed-json"),
        pytest.param("nobody.json", b'{"title": "Only a title"}', "no body", id="no-body"),
        pytest.param("baddate.json", b'{"title": "t", "body": "Some body text here.", "date": "the day after"}',
                     "unparseable date in published_at 'the day after'", id="bad-date"),
        pytest.param("slides.pdf", b"%PDF-1.4", "unsupported file type '.pdf'", id="unsupported"),
        pytest.param("weekday.json", b'{"title": "t", "body": "Some body text here.", "published_at": "Tuesday"}',
                     "no year in published_at 'Tuesday'", id="weekday-date"),
        pytest.param("month.json", b'{"title": "t", "body": "Some body text here.", "date": "May"}',
                     "no year in published_at 'May'", id="month-date"),
        pytest.param("deep.json", b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply", id="deep-json"),
        pytest.param("deep-body.json", b'{"title": "t", "body": ' + b"[" * 5000 + b"]" * 5000 + b"}",
                     "JSON nested too deeply", id="deep-json-field"),
        pytest.param("nested-body.json", b'{"title": "t", "body": ' + b"[" * 900 + b"]" * 900 + b"}",
                     "no body text", id="nested-json-field"),
        pytest.param("bad16.txt", codecs.BOM_UTF16_LE + b"\x00\xd8", "not UTF-16 text", id="bad-utf16"),
    ],
)
def test_bad_input_is_skipped_with_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    [item] = load(path)
    assert isinstance(item, Skipped)
    assert reason in item.reason and str(path) in item.path
    assert "\n" not in item.reason


def test_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Title\n\n" + "word " * 5000)
    [item] = load(path, cap=1000)
    assert isinstance(item, Skipped) and "over the 0.0 MB cap" in item.reason


def test_discover_recurses_and_reports_missing(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.txt").write_text("T\n\nbody")
    (tmp_path / "a" / ".hidden.txt").write_text("T\n\nbody")
    found = list(discover([tmp_path / "a", tmp_path / "missing"]))
    assert found[0] == tmp_path / "a" / "b" / "x.txt"
    assert isinstance(found[1], Skipped) and found[1].reason == "no such file or folder"
    assert len(found) == 2


@pytest.mark.parametrize(
    "encoding",
    [
        pytest.param("utf-8-sig", id="utf-8-bom"),
        pytest.param("utf-16", id="utf-16-bom-native"),
        pytest.param("utf-16-be", id="utf-16-be-bom"),
        pytest.param("utf-32", id="utf-32-bom"),
    ],
)
def test_text_with_a_byte_order_mark_is_decoded(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "bom.txt"
    text = "Café reopens\n\nThe café on the corner reopened on Monday after a long refit."
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    path.write_bytes(data)
    [article] = load(path)
    assert isinstance(article, Article), article
    assert (article.title, article.body) == ("Café reopens", "The café on the corner reopened on Monday after a long refit.")


def test_jsonl_deep_line_is_skipped_alone(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    good = {"title": "Ok", "text": "A body long enough to keep as an article, with facts.", "date": "2023-10-01"}
    path.write_text(json.dumps(good) + "\n" + "[" * 5000 + "]" * 5000 + "\n" + json.dumps({**good, "title": "Ok 2"}) + "\n")
    items = load(path)
    assert [type(i).__name__ for i in items] == ["Article", "Skipped", "Article"]
    assert items[1].path.endswith("feed.jsonl:2") and "nested too deeply" in items[1].reason


@pytest.mark.parametrize(
    ("name", "target", "reason"),
    [
        pytest.param("loop", "loop", "symlink loop", id="self-loop"),
        pytest.param("loop.txt", "loop.txt", "symlink loop", id="self-loop-with-suffix"),
        pytest.param("link.txt", "gone.txt", "broken symlink (to gone.txt)", id="dangling"),
    ],
)
def test_bad_symlinks_say_so(tmp_path: Path, name: str, target: str, reason: str) -> None:
    path = tmp_path / name
    path.symlink_to(target)
    assert list(discover([tmp_path])) == [path]
    [item] = load(path)
    assert isinstance(item, Skipped) and reason in item.reason, item
    [named] = discover([path])  # named on the command line rather than found in a folder
    assert isinstance(named, Skipped) and reason in named.reason, named


def test_control_characters_are_stripped_at_load(tmp_path: Path) -> None:
    path = tmp_path / "esc.json"
    path.write_text(json.dumps({"title": "Big\x1b[2J news\x07", "source": "Bugle\x9b",
                                "body": "Line one\x1b]0;pwned\x07.\r\nLine\ttwo\x00 ends\x0cthree."}))
    [article] = load(path)
    assert (article.title, article.source) == ("Big[2J news", "Bugle")
    assert article.body == "Line one]0;pwned.\nLine\ttwo ends\nthree."
