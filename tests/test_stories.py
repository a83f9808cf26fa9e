"""One story, counted once: wire copies share a story id, same-event stories a cluster; retrieval shows
one passage per story naming the other outlets; ``assistant stories`` lists the clusters."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import make_settings

from assistant.cli.main import main
from assistant.core.article import Article
from assistant.core.settings import StorySettings
from assistant.index.store import Store
from assistant.index.stories import Deduper, cluster_stories, signature
from assistant.index.story_book import StoryBook

PARAS = [
    "The port authority of Valmora announced on Monday that container traffic fell by a fifth in the third quarter.",
    "Harbour master Ines Okafor blamed a strike by crane operators that lasted eleven days in August.",
    "Shipping lines diverted at least forty vessels to the rival port of Castellan during the dispute.",
    "The authority expects volumes to recover by the spring once a new labour agreement is signed.",
    "Union leaders said the agreement still had to be approved by a ballot of members next month.",
    "Economists warned that the fall could shave a tenth of a point off the region's growth this year.",
    "Local exporters of olive oil and ceramics said they had lost orders to competitors abroad.",
    "The regional government promised a fund of twelve million euros to help firms hit by the delays.",
]
OTHER = [
    "The national orchestra of Brenn opened its winter season with a new symphony by a young composer.",
    "Critics praised the second movement, which draws on folk songs from the northern valleys.",
    "The composer, who is twenty-six, studied in Vienna and returned home three years ago.",
    "Tickets for the remaining concerts sold out within an hour of going on sale, the orchestra said.",
    "The season continues with works by Brahms and Dvorak before a tour of neighbouring countries.",
    "Funding for the orchestra was cut last year, and its director warned that the tour may be the last.",
]
BOILER = "Sign up for our newsletter to get the day's top stories delivered to your inbox every morning."


def article(paras: list[str], source: str, date: str, slug: str, title: str) -> Article:
    return Article(title=title, body="\n".join(paras), source=source, published_at=date,
                   url=f"http://127.0.0.1/{source.lower().replace(' ', '-')}/{slug}")


def test_a_wire_copy_with_another_headline_and_a_trimmed_ending_is_one_story() -> None:
    settings = StorySettings()
    dedup = Deduper(settings)
    original = "\n".join(PARAS + [BOILER])
    copy = "VALMORA (Wire) — " + "\n".join(PARAS[:6]) + "\nThis story was first published by the Valmora Post."
    unrelated = "\n".join(OTHER + [BOILER])
    assert dedup.add("original", *signature(original, settings)) == "original"
    assert dedup.add("copy", *signature(copy, settings)) == "original"
    assert dedup.add("unrelated", *signature(unrelated, settings)) == "unrelated"


def test_clusters_need_both_closeness_and_nearby_dates() -> None:
    v = np.array([[1.0, 0.0], [0.96, 0.28], [0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    day = 86400.0
    clusters = cluster_stories(["a", "b", "c", "d"], v, [0.0, day, day, 30 * day], StorySettings())
    assert clusters["a"] == clusters["b"] == "a"
    assert clusters["c"] == "c" and clusters["d"] == "d"  # another subject; the same subject a month later
    assert cluster_stories(["x"], v[:1], [None], StorySettings()) == {"x": "x"}


@pytest.mark.slow
def test_stories_are_kept_with_the_index_listed_and_folded_in_retrieval(tmp_path: Path, capsys) -> None:
    from assistant.ingest.pipeline import ingest_articles
    from assistant.retrieve.retriever import Retriever

    settings = make_settings(tmp_path / "index")
    original = article(PARAS, "Valmora Post", "2025-11-03", "port", "Port traffic falls by a fifth after strike")
    copies = [article(["VALMORA (Wire) — " + PARAS[0], *PARAS[1:7]], "Coast Herald", "2025-11-03", "strike",
                      "Strike cuts Valmora container traffic"),
              article([*PARAS[:7], "First published by the Valmora Post."], "Daily Ledger", "2025-11-04", "port",
                      "Valmora port volumes drop 20%")]
    orchestra = article(OTHER, "Brenn Courier", "2025-11-03", "symphony", "Orchestra opens season with new symphony")
    report = ingest_articles([original, *copies, orchestra], settings, progress=False)
    assert report.added == 4
    book = StoryBook.load(settings, Store(settings).identity)
    assert {book.story_of(a.id) for a in [original, *copies]} == {book.story_of(original.id)}
    assert book.story_of(orchestra.id) == orchestra.id

    assert main(["--index", str(settings.index), "stories", "--json"]) == 0
    clusters = json.loads(capsys.readouterr().out)
    port = next(c for c in clusters if c["size"] == 3)
    assert port["outlets"] == ["Coast Herald", "Daily Ledger", "Valmora Post"]
    assert (port["first"], port["last"], port["stories"]) == ("2025-11-03", "2025-11-04", 1)
    assert {a["id"] for a in port["articles"]} == {original.id, *(c.id for c in copies)}
    assert main(["--index", str(settings.index), "stories", "--since", "2025-11-04", "--json"]) == 0
    assert [c["size"] for c in json.loads(capsys.readouterr().out)] == [3]

    found = Retriever(settings).search("Why did container traffic fall at the port of Valmora?", k=4)
    port_passages = [p for p in found if p.article.id in {original.id, *(c.id for c in copies)}]
    assert len(port_passages) == 1
    also = {a["source"] for a in port_passages[0].also_reported_by}
    assert also | {port_passages[0].article.source} == {"Valmora Post", "Coast Herald", "Daily Ledger"}
    assert "also_reported_by" in port_passages[0].to_dict(1)


@pytest.mark.slow
def test_a_lost_story_book_is_rebuilt(tmp_path: Path) -> None:
    from assistant.ingest.pipeline import ingest_articles

    settings = make_settings(tmp_path / "index")
    first = article(PARAS, "Valmora Post", "2025-11-03", "port", "Port traffic falls")
    ingest_articles([first], settings, progress=False)
    for path in Path(settings.index).glob("stories-*"):
        path.unlink()  # as if the run was killed after the commit and before the book was written
    copy = article(PARAS[:7], "Coast Herald", "2025-11-04", "strike", "Strike cuts traffic")
    ingest_articles([first, copy], settings, progress=False)
    book = StoryBook.load(settings, Store(settings).identity)
    assert set(book.articles) == {first.id, copy.id} and book.story_of(copy.id) == first.id


@pytest.mark.slow
def test_a_later_ingest_reads_the_stored_sketches_back(tmp_path: Path) -> None:
    from assistant.ingest.pipeline import ingest_articles

    settings = make_settings(tmp_path / "index")
    first = article(PARAS, "Valmora Post", "2025-11-03", "port", "Port traffic falls")
    ingest_articles([first], settings, progress=False)
    copy = article(PARAS[:7], "Coast Herald", "2025-11-04", "strike", "Strike cuts traffic")
    ingest_articles([copy], settings, progress=False)  # only the copy is sketched; the original's is read back
    book = StoryBook.load(settings, Store(settings).identity)
    assert book.story_of(copy.id) == book.story_of(first.id) == first.id
