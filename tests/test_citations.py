"""Citation parsing and sentence splitting: one case per odd form seen in model output and news text."""

from __future__ import annotations

import pytest

from assistant.grounding.citations import (
    CitedSentence,
    marker_numbers,
    parse_citations,
    strip_markers,
)
from assistant.text.sentences import is_question, split_sentences


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        pytest.param("Apple sold 2 million phones [1].", [("Apple sold 2 million phones.", [1], [])], id="before-period"),
        pytest.param("Apple sold phones. [2] Prices rose [1].",
                     [("Apple sold phones.", [2], []), ("Prices rose.", [1], [])], id="after-period"),
        pytest.param("Apple sold phones.[2] Prices rose.[1]",
                     [("Apple sold phones.", [2], []), ("Prices rose.", [1], [])], id="after-period-no-space"),
        pytest.param("Both rose [1][3].", [("Both rose.", [1, 3], [])], id="adjacent-markers"),
        pytest.param("Both rose [1, 3].", [("Both rose.", [1, 3], [])], id="comma-list"),
        pytest.param("Both rose [1; 2].", [("Both rose.", [1, 2], [])], id="semicolon-list"),
        pytest.param("All rose [1-3].", [("All rose.", [1, 2, 3], [])], id="range"),
        pytest.param("All rose [1–3].", [("All rose.", [1, 2, 3], [])], id="en-dash-range"),
        pytest.param("It rose [Passage 2].", [("It rose.", [2], [])], id="passage-word"),
        pytest.param("It rose [Source 1, Source 2].", [("It rose.", [1, 2], [])], id="source-words"),
        pytest.param("It rose [7].", [("It rose.", [], [7])], id="out-of-range"),
        pytest.param("It rose [0] [2].", [("It rose.", [2], [0])], id="zero-invalid"),
        pytest.param("It rose [2-9].", [("It rose.", [2, 3], [4, 5, 6, 7, 8, 9])], id="range-past-end"),
        pytest.param("It rose [1][1].", [("It rose.", [1], [])], id="duplicate"),
        pytest.param("It rose.", [("It rose.", [], [])], id="uncited"),
        pytest.param("Apple [1] and Google [2] rose.", [("Apple and Google rose.", [1, 2], [])], id="mid-sentence"),
        pytest.param("Output in the U.S. rose 3.5% [1]. Dr. Smith agreed [2].",
                     [("Output in the U.S. rose 3.5%.", [1], []), ("Dr. Smith agreed.", [2], [])],
                     id="abbreviations-decimals"),
        pytest.param("Sales fell in the U.S. The firm blamed rates [2].",
                     [("Sales fell in the U.S.", [], []), ("The firm blamed rates.", [2], [])],
                     id="abbreviation-ends-sentence"),
        pytest.param('He said "we will win." [1] She disagreed [2].',
                     [('He said "we will win."', [1], []), ("She disagreed.", [2], [])], id="quote-then-marker"),
        pytest.param("He said “it is over” [3].", [("He said “it is over”.", [3], [])], id="curly-quotes"),
        pytest.param("It rose.\n[2]", [("It rose.", [2], [])], id="marker-on-own-line"),
        pytest.param("- Apple rose [1]\n- Google fell [2]",
                     [("Apple rose", [1], []), ("Google fell", [2], [])], id="bullets"),
        pytest.param("1. Apple rose [1]\n2. Google fell [2]",
                     [("Apple rose", [1], []), ("Google fell", [2], [])], id="numbered-list"),
        pytest.param("Did it rise? Yes [1]!", [("Did it rise?", [], []), ("Yes!", [1], [])], id="question-exclaim"),
        pytest.param("Shares rose 3.5 percent on Oct. 5, 2023 [1].",
                     [("Shares rose 3.5 percent on Oct. 5, 2023.", [1], [])], id="month-abbreviation"),
        pytest.param("[2] Shares rose.", [("Shares rose.", [2], [])], id="marker-first"),
        pytest.param("[1] (Fortune, 2023-10-04) The SEC sued. It settled.",
                     [("The SEC sued.", [1], []), ("It settled.", [1], [])], id="copied-header-cites-its-line"),
        pytest.param("[2] The SEC sued [1]. It settled.\nPrices rose.",
                     [("The SEC sued.", [1], []), ("It settled.", [2], []), ("Prices rose.", [], [])],
                     id="line-marker-only-where-uncited"),
        pytest.param("[1] (The Age, 2023-11-07) [2] (Fortune, 2023-11-07)", [], id="only-copied-headers"),
        pytest.param("", [], id="empty"),
        pytest.param("The articles do not say.", [("The articles do not say.", [], [])], id="abstention"),
    ],
)
def test_parse_citations(answer: str, expected: list[tuple[str, list[int], list[int]]]) -> None:
    assert parse_citations(answer, n_passages=3) == [CitedSentence(t, c, i) for t, c, i in expected]


@pytest.mark.parametrize(
    ("marker", "numbers"),
    [
        pytest.param("[4]", [4], id="single"),
        pytest.param("[1, 2, 5]", [1, 2, 5], id="list"),
        pytest.param("[3-1]", [3, 1], id="reversed-range-keeps-ends"),
        pytest.param("[1-500]", [1, 500], id="huge-range-keeps-ends"),
        pytest.param("[1 to 3]", [1, 2, 3], id="to-range"),
        pytest.param("[1 and 4]", [1, 4], id="and"),
    ],
)
def test_marker_numbers(marker: str, numbers: list[int]) -> None:
    assert marker_numbers(marker) == numbers


def test_strip_markers_leaves_brackets_that_are_not_citations() -> None:
    assert strip_markers("He [the CEO] left [1].") == "He [the CEO] left."


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        pytest.param("Mr. Smith met Gen. Jones. They talked.", ["Mr. Smith met Gen. Jones.", "They talked."], id="titles"),
        pytest.param("J. K. Rowling wrote it. It sold.", ["J. K. Rowling wrote it.", "It sold."], id="initials"),
        pytest.param("It cost $3.5 billion. Then 2.4% more.", ["It cost $3.5 billion.", "Then 2.4% more."], id="decimals"),
        pytest.param("Apple Inc. said so. Apple Inc. The end.", ["Apple Inc. said so.", "Apple Inc.", "The end."],
                     id="inc"),
        pytest.param("See No. 5 today. No. It is not.", ["See No. 5 today.", "No.", "It is not."], id="number-abbrev"),
        pytest.param('"Why?" he asked. "Because."', ['"Why?" he asked.', '"Because."'], id="question-in-quote"),
        pytest.param("Wait... What happened?", ["Wait...", "What happened?"], id="ellipsis"),
        pytest.param("First para\nwraps here.\n\nSecond para", ["First para\nwraps here.", "Second para"],
                     id="wrapped-lines-and-blank-line"),
        pytest.param("Intro:\n- one\n- two", ["Intro:", "- one", "- two"], id="list-lines"),
        pytest.param("It rose at 5 p.m. Thursday. Then fell.", ["It rose at 5 p.m. Thursday.", "Then fell."], id="pm"),
        pytest.param("It ended at 5 p.m. The next day it rose.", ["It ended at 5 p.m.", "The next day it rose."],
                     id="pm-end"),
        pytest.param("e.g. this one. And that.", ["e.g. this one.", "And that."], id="eg"),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


@pytest.mark.parametrize("sentence, asks", [
    ("Microsoft Activision: What does the deal mean for gamers?", True),
    ("“Will the talks go ahead?”", True),
    ("She asked whether the talks would go ahead.", False),
    ("The EU is exploring a pact with India.", False),
])
def test_a_question_states_nothing(sentence: str, asks: bool) -> None:
    assert is_question(sentence) is asks
