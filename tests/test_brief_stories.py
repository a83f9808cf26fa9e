"""Stories in briefs: lines say how many outlets carried their story, and "where sources differ" quotes
what two outlets say differently on one point of one event (numbers, dates, names, a negation), with citations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import make_settings

from assistant.brief.differ import point_of_difference
from assistant.brief.model import BriefArticle
from assistant.brief.render import brief_to_html, brief_to_json, brief_to_markdown
from assistant.brief.writer import brief_articles, write_brief
from assistant.core.article import Article
from assistant.core.passage import ArticleRef, Passage

HERALD = [
    "A passenger bus plunged into a ravine near the mountain town of Orvenna on Tuesday, killing 12 people, "
    "regional police said.",
    "The bus was carrying pilgrims from the coastal city of Marisse to a shrine in the highlands.",
    "Rescue teams worked through the night to reach the wreck, which came to rest beside the river.",
    "Police chief Dara Venn said the driver appears to have lost control on a sharp bend after heavy rain.",
    "The regional governor declared three days of mourning and promised an inquiry into the state of the road.",
]
LEDGER = [
    "At least 15 people were killed on Tuesday when a passenger bus plunged into a ravine near Orvenna, "
    "according to officials.",
    "Officials said the pilgrims on board had set out from Marisse before dawn.",
    "Emergency crews needed several hours to reach the vehicle at the bottom of the gorge.",
    "Police chief Dara Venn blamed a sharp bend and the heavy rain that had fallen since the morning.",
    "Relatives gathered outside the hospital in Orvenna waiting for news of the injured.",
]
CONCERT = [
    "The national orchestra of Brenn opened its winter season with a new symphony by a young composer.",
    "Critics praised the second movement, which draws on folk songs from the northern valleys.",
    "Tickets for the remaining concerts sold out within an hour of going on sale, the orchestra said.",
]


def _brief_article(aid: str, source: str, paras: list[str], day: str = "2025-11-04") -> BriefArticle:
    ref = ArticleRef(aid, f"{source} on the Orvenna bus crash", source, day, f"http://127.0.0.1/{aid}")
    passages = [Passage(f"{aid}-0000", " ".join(paras[:3]), ref, position=0),
                Passage(f"{aid}-0001", " ".join(paras[3:]), ref, position=1)]
    return BriefArticle(aid, ref.title, source, day, ref.url, passages)


def test_the_point_of_difference_names_the_values_each_side_gives() -> None:
    a = "The crash on Tuesday killed 12 people and injured 30, police said."
    assert point_of_difference(a, "The crash on Tuesday killed 15 people and injured 30, police said.") \
        == "numbers: 12 / 15"
    # the neighbouring words say which numbers are about the same thing
    assert point_of_difference("Police said 12 people were killed.", "Officials said 40 were hurt and 15 people "
                               "were killed.") == "numbers: 12 / 15"
    assert point_of_difference(a, "Police said the crash on Tuesday killed 12 people and injured 30.") == ""
    assert point_of_difference("Output rose 4.3 million tonnes.", "Output rose 4 million tonnes.") == ""  # rounding
    # numbers count the same thing only when their neighbouring nouns/verbs share a lemma
    assert point_of_difference("Inflation rose to 3.2% in March.", "Inflation climbed to 3.5% in March.") \
        == "numbers: 3.2% / 3.5%"
    assert point_of_difference("Inflation rose to 3.2% in March.", "Unemployment fell to 4.1% in March.") == ""
    assert point_of_difference("The tablet is on sale for $349, which is $100 off the list price.",
                               "You might find the older tablet on sale for $229.99, or the new one for $349.") == ""
    # relative days resolved against each article's date: "on Monday" and "yesterday" can be the same day
    tuesday, wednesday = date(2025, 11, 4), date(2025, 11, 5)
    assert point_of_difference("The bus crashed on Monday.", "The bus crashed yesterday.", tuesday, tuesday) == ""
    assert point_of_difference("The bus crashed on Monday.", "The bus crashed yesterday.", tuesday, wednesday) \
        == "dates: 2025-11-03 / 2025-11-04"
    # a name swapped in otherwise identical words, which the other article never mentions
    assert point_of_difference("The driver was named as Mark Olsen.", "The driver was named as Mark Olson.") \
        == "names: Mark Olsen / Mark Olson"
    assert point_of_difference("The driver was named as Mark Olsen.", "The driver was named as Mark Olson.",
                               article_b="Mark Olsen, 34, was named as the driver. The driver was named as Mark Olson.") == ""
    assert point_of_difference("Mayor Ann Lee said the town would rebuild.",
                               "Governor Tom Reyes said the region would help rebuild.") == ""


def test_a_negation_on_the_same_subject_is_a_point_of_difference() -> None:
    assert point_of_difference("Police said the driver had not been drinking before the crash.",
                               "Police said the driver had been drinking before the crash.") \
        == "negation: “the driver had not been drinking” / “the driver had been drinking”"
    assert point_of_difference("The ministry did not confirm the deal.", "The company confirmed the deal.") == ""
    assert point_of_difference("The ministry confirmed the deal.", "The ministry confirmed the deal.") == ""


@pytest.mark.slow
def test_two_outlets_one_saying_no_are_quoted_side_by_side(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index")
    herald = HERALD[:3] + ["Police chief Dara Venn said the driver had not been drinking before the crash."]
    ledger = [LEDGER[0].replace("At least 15", "At least 12")] + LEDGER[1:3] + [
        "Police chief Dara Venn said the driver had been drinking before the crash."]
    articles = [_brief_article("h1", "Coast Herald", herald), _brief_article("l1", "Daily Ledger", ledger)]
    brief = brief_articles(articles, settings, topic="Orvenna bus crash", llm=None)
    pairs = [b for b in brief.section("differences").bullets if b.contrast is not None]
    assert pairs, brief.section("differences").note
    first = pairs[0]
    assert first.point.startswith("negation: ") and "not" in first.point
    assert {first.label, first.contrast.label} == {"Coast Herald", "Daily Ledger"}
    assert first.supported and first.contrast.supported and first.citations and first.contrast.citations


@pytest.mark.slow
def test_an_outlet_that_says_it_both_ways_does_not_differ(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index")
    herald = HERALD[:3] + ["Police chief Dara Venn said the driver had not been drinking before the crash.",
                           "Earlier, a witness said the driver had been drinking before the crash."]
    ledger = [LEDGER[0].replace("At least 15", "At least 12")] + LEDGER[1:3] + [
        "Police chief Dara Venn said the driver had been drinking before the crash."]
    articles = [_brief_article("h1", "Coast Herald", herald), _brief_article("l1", "Daily Ledger", ledger)]
    brief = brief_articles(articles, settings, topic="Orvenna bus crash", llm=None)
    assert not [b for b in brief.section("differences").bullets if b.point.startswith("negation")]


@pytest.mark.slow
def test_two_outlets_one_story_different_tolls_are_quoted_side_by_side(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index")
    articles = [_brief_article("h1", "Coast Herald", HERALD), _brief_article("l1", "Daily Ledger", LEDGER),
                _brief_article("c1", "Brenn Courier", CONCERT)]
    brief = brief_articles(articles, settings, topic="Orvenna bus crash", llm=None)
    assert articles[0].cluster == articles[1].cluster != articles[2].cluster  # one event, filed from the texts
    differences = brief.section("differences").bullets
    assert differences, brief.section("differences").note
    first = differences[0]
    assert {first.label, first.contrast.label} == {"Coast Herald", "Daily Ledger"}
    assert {"12" in first.text + first.contrast.text, "15" in first.text + first.contrast.text} == {True}
    assert first.point in ("numbers: 12 / 15", "numbers: 15 / 12")
    assert first.supported and first.contrast.supported and first.citations and first.contrast.citations
    cited = {brief.passages[n - 1].article.source for n in first.citations + first.contrast.citations}
    assert cited == {"Coast Herald", "Daily Ledger"}
    record = brief_to_json(brief)
    shown = next(s for s in record["sections"] if s["key"] == "differences")["bullets"][0]
    assert shown["point"] == first.point and shown["contrast"]["citations"]
    assert "— _numbers:" in brief_to_markdown(brief) and 'class="point"' in brief_to_html(brief)


@pytest.mark.slow
def test_one_outlet_per_story_says_nothing_differs(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index")
    brief = brief_articles([_brief_article("h1", "Coast Herald", HERALD), _brief_article("c1", "Brenn Courier", CONCERT)],
                           settings, topic="Orvenna bus crash", llm=None)
    assert not [b for b in brief.section("differences").bullets if b.contrast is not None]


def _article(paras: list[str], source: str, slug: str, day: str = "2025-11-04") -> Article:
    return Article(title=f"{source}: bus plunges into ravine near Orvenna", body="\n".join(paras), source=source,
                   published_at=day, url=f"http://127.0.0.1/{source.lower().replace(' ', '-')}/{slug}")


@pytest.mark.slow
def test_a_brief_from_the_index_counts_outlets_and_compares_per_story(tmp_path: Path) -> None:
    from assistant.ingest.pipeline import ingest_articles

    settings = make_settings(tmp_path / "index")
    copies = [_article(HERALD, "Coast Herald", "bus"), _article(HERALD[:4], "Valley Times", "crash"),
              _article([*HERALD[:4], "First published by the Coast Herald."], "Morning Star", "orvenna")]
    other = _article(LEDGER, "Daily Ledger", "bus-crash")
    assert ingest_articles([*copies, other], settings, progress=False).added == 4
    brief = write_brief("Orvenna bus crash", settings, llm=None, n_articles=4)
    herald = [a for a in brief.articles if a.source in {"Coast Herald", "Valley Times", "Morning Star"}]
    assert herald and all(a.story_outlets == ["Coast Herald", "Morning Star", "Valley Times"] for a in herald)
    ledger = next(a for a in brief.articles if a.source == "Daily Ledger")
    assert ledger.story_outlets == ["Daily Ledger"] and ledger.cluster == herald[0].cluster

    wide = [b for b in brief.bullets() if len(b.reported_by) == 3]
    assert wide, "a line from the syndicated story says how many outlets carried it"
    assert "(reported by 3 outlets)" in brief_to_markdown(brief)
    record = brief_to_json(brief)
    assert any(s["reported_by"] == ["Coast Herald", "Morning Star", "Valley Times"] for s in record["sources"])

    pair = next(b for b in brief.section("differences").bullets if b.contrast is not None)
    assert "Daily Ledger" in {pair.label, pair.contrast.label} and pair.point.startswith("numbers:")
