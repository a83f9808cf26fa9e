"""Query understanding: outlets, dates and sub-queries found in questions (pure functions)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
from conftest import ROOT

from assistant.core.errors import InputError
from assistant.core.passage import ArticleRef, Passage
from assistant.retrieve.analysis import analyse, find_dates
from assistant.retrieve.filters import Filters
from assistant.retrieve.outlets import Outlets, outlets_of
from assistant.retrieve.retriever import asks_for_entity, bridge_names
from assistant.text.clauses import clauses

SOURCES = ["The Verge", "TechCrunch", "Cnbc | World Business News Leader", "The Independent - Sports",
           "The Independent - Life and Style", "Fortune", "Live Science: The Most Interesting Articles", "The Age"]


@pytest.mark.parametrize(
    ("question", "named"),
    [
        pytest.param("Did The Verge report it before TechCrunch did?", [["The Verge"], ["TechCrunch"]], id="two-outlets"),
        pytest.param("as reported by 'the verge' and CNBC", [["The Verge"], ["Cnbc | World Business News Leader"]], id="case-and-alias"),
        pytest.param("What did The Independent say?", [["The Independent - Sports", "The Independent - Life and Style"]],
                     id="family-alias"),
        pytest.param("Live Science reported a fossil", [["Live Science: The Most Interesting Articles"]], id="colon-head"),
        pytest.param("The age of AI is here, says Fortune", [["The Age"], ["Fortune"]], id="ambiguous-words"),
        pytest.param("Is fortune-telling popular?", [["Fortune"]], id="hyphen-is-a-boundary"),
        pytest.param("Nothing named here", [], id="none"),
    ],
)
def test_outlets_found_in_order(question: str, named: list[list[str]]) -> None:
    got = analyse(question, SOURCES, None)
    assert [list(m.sources) for m in got.outlets] == named


def test_dates_explicit_month_and_relative() -> None:
    day = find_dates("published on October 18, 2023", None)[0].value
    assert day[1] - day[0] == 3 * 86400 - 1  # the day ± 1 for time zones
    month = find_dates("What happened in November 2023?", None)[0].value
    assert (month[1] - month[0] + 1) // 86400 == 30
    week = find_dates("news from last week", date(2023, 12, 25))[0].value
    assert (week[1] - week[0] + 1) // 86400 == 8
    assert find_dates("news from last week", None) == []


def test_subqueries_per_outlet_with_its_own_date_and_per_claim() -> None:
    question = ("Did TechCrunch report on September 28, 2023 that the chip maker raised prices sharply, "
                "while The Verge reported on December 19, 2023 that the retailer cut prices again?")
    got = analyse(question, SOURCES, date(2023, 12, 25))
    by_outlet = {s.label: s for s in got.subqueries if not s.label.startswith("claim")}
    assert list(by_outlet) == ["TechCrunch", "The Verge"]
    first, second = by_outlet["TechCrunch"].filters, by_outlet["The Verge"].filters
    assert first.sources == ["TechCrunch"] and second.sources == ["The Verge"]
    assert first.since < second.since and first.until < second.since
    clauses = [s.text for s in got.subqueries if s.label == "TechCrunch"]
    assert any("chip maker" in t and "retailer" not in t for t in clauses)  # the clause about TechCrunch
    assert all("TechCrunch" not in t for t in clauses)
    claim_subs = [s for s in got.subqueries if s.label.startswith("claim")]
    assert len(claim_subs) == 2 and all(set(s.filters.sources) == {"TechCrunch", "The Verge"} for s in claim_subs)


def test_a_claim_that_gives_a_date_is_searched_within_it() -> None:
    question = ("Between the TechCrunch report on the antitrust trial published on November 6, 2023, and the TechCrunch "
                "report on a publisher suing Google published on December 15, 2023, was the portrayal of Google consistent?")
    got = analyse(question, SOURCES, date(2023, 12, 25))
    by_text = {s.text: s.filters for s in got.subqueries if s.label.startswith("claim")}
    trial = next(f for t, f in by_text.items() if "antitrust trial" in t)
    suit = next(f for t, f in by_text.items() if "publisher suing" in t)
    assert (trial.since, trial.until) == find_dates("on November 6, 2023", None)[0].value
    assert (suit.since, suit.until) == find_dates("on December 15, 2023", None)[0].value
    assert trial.sources == suit.sources == ["TechCrunch"]
    undated = [f for t, f in by_text.items() if "portrayal" in t]
    assert undated and undated[0].since is None and undated[0].until is None


@pytest.mark.parametrize(("text", "fine", "expected"), [
    pytest.param("known for vision of autonomous agents, praised for his unusual generosity, and ousted from the "
                 "company board", False,
                 ["known for vision of autonomous agents", "praised for his unusual generosity",
                  "ousted from the company board"], id="commas-and-a-trailing-and"),
    pytest.param("Who won the match?", False, [], id="too-short"),
    pytest.param("as reported by both TechCrunch and The Verge, the firm spent billions on search deals", False,
                 ["the firm spent billions on search deals"], id="reporting-words-are-no-claim"),
    pytest.param("the founder who left the board and later rejoined the startup company", True,
                 ["later rejoined the startup company"], id="fine-cuts-at-who-and-and"),
    pytest.param("the founder who left the board and later rejoined the startup company", False,
                 ["the founder who left the board and later rejoined the startup company"], id="coarse-keeps-and"),
])
def test_clauses(text: str, fine: bool, expected: list[str]) -> None:
    assert clauses(text, fine=fine) == expected


def test_filters_merge_and_where_clause() -> None:
    user = Filters(since=100, sources=["The Verge", "Fortune"])
    merged = user.merged(Filters(since=50, until=500, sources=["Fortune"]))
    assert merged == Filters(since=100, until=500, sources=["Fortune"])
    assert merged.where() == {"$and": [{"published_ts": {"$gte": 100}}, {"published_ts": {"$lte": 500}},
                                       {"source": {"$in": ["Fortune"]}}]}
    assert merged.admits({"published_ts": 200, "source": "Fortune"})
    assert not merged.admits({"source": "Fortune"})  # undated articles fail a date filter


def test_source_names_resolve_leniently() -> None:
    assert outlets_of(SOURCES).resolve(["the verge"]) == ["The Verge"]
    assert outlets_of(SOURCES).resolve(["cnbc"]) == ["Cnbc | World Business News Leader"]
    assert outlets_of(SOURCES).resolve(["The Independent"]) == ["The Independent - Sports", "The Independent - Life and Style"]
    with pytest.raises(InputError, match="no outlet called 'Daily Planet'"):
        outlets_of(SOURCES).resolve(["Daily Planet"])


def test_surfaces_skip_generic_words() -> None:
    outlets = Outlets(["Business Line", "Sky Sports"])
    assert outlets.mentions("business news and sports results") == []
    assert [m.sources for m in outlets.mentions("as Sky Sports and business line said")] == [("Sky Sports",),
                                                                                          ("Business Line",)]


def test_answering_reads_only_capitalised_mentions_and_takes_the_article() -> None:
    outlets = Outlets(SOURCES)
    assert [m.surface for m in outlets.mentions("did the Verge and the verge agree?", cased=True)] == ["the Verge"]
    assert outlets.mentions("the age of the fortune teller", cased=True) == []
    assert [m.sources for m in outlets.mentions("the age of the fortune teller")] == [("The Age",), ("Fortune",)]


def _passage(i: int, text: str) -> Passage:
    return Passage(f"c{i}", text, ArticleRef(f"a{i}", "t", "Outlet", "2023-10-01", "https://x"))


def test_bridge_name_is_the_unnamed_answer_the_top_passages_share() -> None:
    question = "Which company, reported by TechCrunch for its hardware event and by The Age for an antitrust case?"
    ranking = [_passage(0, "Google unveiled new Pixel phones at its hardware event on Wednesday."),
               _passage(1, "Epic says Google’s store rules broke antitrust law, The Age reports."),
               _passage(2, "The Justice Department argues Google paid billions to stay the default."),
               _passage(3, "Apple was not part of the case."),
               _passage(4, "TechCrunch covered the hardware event.")]
    assert asks_for_entity(question) and not asks_for_entity("Did TechCrunch report this before The Verge?")
    assert bridge_names(question, ranking, 1) == ["Google"]  # possessive folded in; names in the question skipped
    assert bridge_names(question, ranking, 0) == []
    assert bridge_names(question, ranking[3:], 1) == []  # nothing recurs in most of them


def test_bridge_name_ties_go_to_the_earlier_mention_whatever_the_hash_seed() -> None:
    code = (
        "from assistant.core.passage import ArticleRef, Passage\n"
        "from assistant.retrieve.retriever import bridge_names\n"
        "ref = ArticleRef('a', 't', 'Outlet', '2023-10-01', '')\n"
        "texts = ['Altman met Brooks on Monday.', 'Brooks and Altman spoke.', 'Altman, Brooks agreed.']\n"
        "print(bridge_names('Who leads it?', [Passage(f'c{i}', t, ref) for i, t in enumerate(texts)], 1))\n"
    )
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout.strip() for seed in range(6)}
    assert seen == {"['Altman']"}
