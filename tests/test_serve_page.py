"""The web page at ``/`` in headless Chromium, driven like a user: type a question, press Enter, watch the
answer stream in, click citation [1] and see the passage marked in its article; the Brief tab by keyboard;
screenshots on a desktop and a phone checked for layout."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cdp import CHROMIUM, browser
from conftest import make_settings
from serving import running

from assistant.answer.answerer import Answerer
from assistant.serve.engine import Engine

pytestmark = [pytest.mark.slow, pytest.mark.server]

QUESTION = "What is the European Union exploring with India on security and defence?"


@pytest.fixture(scope="module")
def base(built_index: Path) -> Iterator[str]:
    settings = make_settings(built_index, **{"llm.spec": "none"})
    with running(settings, lambda: Engine(settings, Answerer(settings, llm=None))) as url:
        yield url


@pytest.fixture
def page(tmp_path: Path):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium; 'make test' installs it)")
    with browser(tmp_path / "profile") as tab:
        yield tab


def _layout(page) -> dict:
    """What a broken layout shows: content wider than the window, controls off screen or overlapping."""
    return page.js("""(() => {
      const box = (id) => document.getElementById(id).getBoundingClientRect();
      const q = box('question'), b = box('ask-button');
      return {overflow: document.documentElement.scrollWidth - window.innerWidth,
              questionVisible: q.width > 100 && q.right <= window.innerWidth,
              buttonVisible: b.width > 0 && b.right <= window.innerWidth,
              overlap: !(q.right <= b.left || b.bottom <= q.top || q.bottom <= b.top)};
    })()""")


def _colours(shot: Path) -> int:
    from PIL import Image

    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    return len(colours or [])


def _keep(shot: Path) -> None:
    """Copy a screenshot to $ASSISTANT_SCREENSHOTS when set, to look at by eye."""
    folder = os.environ.get("ASSISTANT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(folder) / shot.name)


def test_ask_stream_and_open_the_cited_passage(page, base: str, tmp_path: Path) -> None:
    page.viewport(1100, 1300)
    page.call("Page.navigate", url=f"{base}/")
    page.wait_for("document.readyState === 'complete' && !!document.getElementById('question')")
    assert page.js("document.querySelector('label[for=question]').textContent") == "Question"
    page.js("document.getElementById('question').focus()")
    page.type(QUESTION)
    page.press_enter()
    page.wait_for("document.querySelector('.turn .answer') !== null")
    page.wait_for("document.querySelector('.turn .answer button.cite') !== null")
    answer = page.js("document.querySelector('.turn .answer').textContent")
    assert "[1]" in answer and "exploring" in answer
    assert page.js("document.querySelectorAll('.turn ol.sources li').length") >= 1
    assert page.js("document.getElementById('error').hidden")

    page.click(".turn .answer button.cite")
    page.wait_for("!document.getElementById('article').hidden && !!document.querySelector('#article-body mark')")
    page.wait_for("document.querySelector('#article-body').childNodes.length > 1")  # the article around it
    marked = page.js("document.querySelector('#article-body mark').textContent")
    quoted = page.js("document.querySelector('#article-body mark strong.quoted').textContent")
    assert "exploring a security and defence pact with India" in quoted and quoted in marked  # the cited sentence
    assert page.js("document.getElementById('article-title').textContent") == \
        "EU explores security and defence pact with India"
    assert page.js("document.activeElement.id") == "article"  # focus moves to what was opened

    layout = _layout(page)
    assert layout["overflow"] <= 0 and layout["questionVisible"] and layout["buttonVisible"] and not layout["overlap"]
    shot = page.screenshot(tmp_path / "serve-desktop.png")
    _keep(shot)
    assert _colours(shot) > 50, "the screenshot is blank"

    page.viewport(390, 844, mobile=True)  # a phone
    page.wait_for("window.innerWidth === 390")
    layout = _layout(page)
    assert layout["overflow"] <= 0 and layout["questionVisible"] and layout["buttonVisible"] and not layout["overlap"]
    phone = page.screenshot(tmp_path / "serve-phone.png")
    _keep(phone)
    assert _colours(phone) > 50


def test_hostile_text_from_the_index_stays_text(page, base: str) -> None:
    """The page sets index text with textContent: markup in an answer is shown, not run."""
    page.call("Page.navigate", url=f"{base}/")
    page.wait_for("document.readyState === 'complete' && typeof renderAnswer === 'function'")
    page.js("""renderAnswer(document.getElementById('conversation'), '<img src=x onerror=window.pwned=1> [1]',
               [{n: 1, title: '<b>t</b>', source: 's', published_at: '', url: 'javascript:alert(1)', text: 'p'}])""")
    assert page.js("document.querySelectorAll('#conversation img').length") == 0
    assert page.js("document.getElementById('conversation').textContent").startswith("<img src=x")
    assert not page.js("!!window.pwned")


def test_the_brief_tab_by_keyboard(page, base: str, tmp_path: Path) -> None:
    page.viewport(1100, 1300)
    page.call("Page.navigate", url=f"{base}/")
    page.wait_for("document.readyState === 'complete' && !!document.getElementById('tab-ask')")
    page.js("document.getElementById('tab-ask').focus()")
    page.press("ArrowRight")
    assert page.js("document.activeElement.id") == "tab-brief"
    assert page.js("document.getElementById('panel-brief').hidden") is False
    assert page.js("document.getElementById('panel-ask').hidden") is True
    page.js("document.getElementById('topic').focus()")
    page.type("EU-India security and defence partnership")
    page.press_enter()
    page.wait_for("!document.getElementById('brief-frame').hidden")
    srcdoc = page.js("document.getElementById('brief-frame').srcdoc")
    assert srcdoc.startswith("<!DOCTYPE html>") and "Bottom line" in srcdoc
    assert page.js("document.getElementById('brief-frame').getBoundingClientRect().height") > 300
    shot = page.screenshot(tmp_path / "serve-brief.png")
    _keep(shot)
    assert _colours(shot) > 50
