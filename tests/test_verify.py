"""The sentence verifier: fact checks (fast, pure) and full verdicts with the real offline MiniLM embedder."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from assistant.core.passage import ArticleRef, Passage
from assistant.core.settings import load_settings
from assistant.grounding.citations import parse_citations
from assistant.grounding.verifier import (
    RULE_WINDOWS,
    Verifier,
    evidence_text,
    lexical_support,
    missing_facts,
    passage_windows,
)
from assistant.index.embedder import Embedder, make_embedder
from assistant.text.mentions import find_dates, find_names, find_numbers, find_quotes
from assistant.text.words import normalize

FTX = (
    "Sam Bankman-Fried, the founder of the FTX cryptocurrency exchange, was convicted on Nov. 2, 2023 of seven "
    "counts of fraud and conspiracy. Prosecutors said he stole $8 billion from customers. The jury in Manhattan "
    "deliberated for about four hours. Judge Lewis Kaplan set sentencing for March 28, 2024. “He knew it was "
    "wrong,” said U.S. Attorney Damian Williams. Shares of Coinbase rose 3.47% after the verdict, to $1,250."
)
APPLE = (
    "Apple reported revenue of $89.5 billion for the quarter ending in September, down 1% from a year earlier. "
    "Chief executive Tim Cook said iPhone sales hit a September-quarter record. The company expects "
    "holiday-quarter revenue to be similar to last year."
)


# --- mentions ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "values"),
    [
        pytest.param("It rose 3.5%.", [3.5], id="percent"),
        pytest.param("It cost $1.2 billion.", [1.2e9], id="money-scale"),
        pytest.param("It cost £3bn.", [3e9], id="short-scale"),
        pytest.param("About 2,000 people came.", [2000], id="thousands"),
        pytest.param("It ran 5m.", [5], id="metres-not-millions"),
        pytest.param("It cost $5m.", [5e6], id="money-millions"),
        pytest.param("Five went, then 21st place.", [5, 21], id="word-and-ordinal"),
        pytest.param("Windows 11 shipped in 2023.", [11, 2023], id="model-and-year"),
    ],
)
def test_find_numbers(text: str, values: list[float]) -> None:
    assert [n.value for n in find_numbers(text)] == values


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        pytest.param("On October 5, 2023 it rose.", [(2023, 10, 5)], id="us-long"),
        pytest.param("On Oct. 5 it rose.", [(None, 10, 5)], id="abbreviated"),
        pytest.param("On 5th October 2023 it rose.", [(2023, 10, 5)], id="day-first"),
        pytest.param("Published 2023-10-05T08:00.", [(2023, 10, 5)], id="iso"),
        pytest.param("In May 2024 it fell.", [(2024, 5, None)], id="month-year"),
        pytest.param("Due 10/05/2023.", [(2023, 10, 5)], id="numeric-us"),
    ],
)
def test_find_dates(text: str, parts: list[tuple[int | None, int, int | None]]) -> None:
    assert [(d.year, d.month, d.day) for d in find_dates(text)] == parts


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        pytest.param("Sam Bankman-Fried founded FTX.", ["Sam Bankman-Fried", "FTX"], id="multiword-and-acronym"),
        pytest.param("Shares of Bank of America fell.", ["Bank of America"], id="connector"),
        pytest.param("Shares rose after Apple spoke.", ["Apple"], id="lone-first-word-skipped"),
        pytest.param("The U.S. economy grew on Monday.", ["U.S.", "Monday"], id="dotted-acronym"),
        pytest.param("Dr. Jane Smith met the CEO in March.", ["Jane Smith"], id="title-generic-month"),
        pytest.param("A 4K Blu-ray player from 8BitDo.", ["Blu-ray"], id="model-numbers"),
        pytest.param("He said “We will win” in Paris.", ["Paris"], id="quote-left-to-quote-check"),
        pytest.param("The S&P 500 fell as AT&T slipped.", ["S&P", "AT&T"], id="ampersand-inside-a-name"),
    ],
)
def test_find_names(sentence: str, names: list[str]) -> None:
    assert [n.text for n in find_names(sentence)] == names


def test_find_quotes_ignores_apostrophes() -> None:
    assert [q.text for q in find_quotes("It’s “over,” he said, and ‘done’ too; don’t.")] == ["over,", "done"]


def test_normalize_folds_case_quotes_and_separators() -> None:
    assert normalize("Apple’s “iPhone 15” costs $1,299.50 — 3.5% off!") == "apple iphone 15 costs $1299.50 3.5% off"


# --- fact checks (no embedder) -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("Bankman-Fried was convicted on November 2, 2023.", id="month-name-form"),
        pytest.param("He was convicted on 2 Nov 2023 of seven counts.", id="day-first-and-word-number"),
        pytest.param("Prosecutors said customers lost $8bn.", id="short-scale"),
        pytest.param("Coinbase rose 3.5 percent to $1250.", id="rounding-percent-word-no-separator"),
        pytest.param("Kaplan's sentencing is due in March.", id="possessive-month-only"),
        pytest.param("The US attorney spoke.", id="acronym-without-dots"),
        pytest.param("Williams said: “he knew it was wrong.”", id="quote-case-and-punctuation"),
        pytest.param("Williams said “He knew … wrong”.", id="quote-with-ellipsis"),
        pytest.param("Midfielder Sam Bankman-Fried lost.", id="common-first-word"),
        pytest.param("UNK Williams said the jury in Manhattan deliberated.", id="unknown-token-is-no-name"),
        pytest.param("Prosecutors said he stole $8 billion from <unk> customers.", id="angle-unknown-token"),
        pytest.param("Judge Lewis [UNK] Kaplan set sentencing.", id="unknown-token-splits-a-name"),
        pytest.param("Williams said “He knew it UNK wrong”.", id="unknown-token-inside-a-quote"),
    ],
)
def test_facts_found(sentence: str) -> None:
    assert missing_facts(sentence, [FTX]) == []


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        pytest.param("Prosecutors said he stole $9 billion.", "number '$9 billion'", id="changed-number"),
        pytest.param("Prosecutors said he stole $8 million.", "number '$8 million'", id="changed-scale"),
        pytest.param("He was convicted of five counts.", "number 'five'", id="changed-word-number"),
        pytest.param("Coinbase rose 3% after the verdict.", "number '3%'", id="integer-is-not-a-rounding"),
        pytest.param("Sam Altman was convicted of fraud.", "name 'Sam Altman'", id="swapped-name"),
        pytest.param("The founder of Binance was convicted.", "name 'Binance'", id="swapped-single-name"),
        pytest.param("Sentencing is set for March 29, 2024.", "date 'March 29, 2024'", id="changed-day"),
        pytest.param("Sentencing is set for April 28, 2024.", "date 'April 28, 2024'", id="changed-month"),
        pytest.param("Sentencing is set for March 28, 2025.", "date 'March 28, 2025'", id="changed-year"),
        pytest.param("He was convicted in 2022.", "year '2022'", id="changed-bare-year"),
        pytest.param("Williams said “justice was served.”", 'quote "justice was served."', id="invented-quote"),
        pytest.param("The SEC charged him.", "name 'SEC'", id="unknown-acronym"),
        pytest.param("UNK Altman was convicted of fraud.", "name 'Altman'", id="unknown-token-beside-a-wrong-name"),
        pytest.param("Williams said “He UNK it was right”.", 'quote "He … it was right"', id="gap-in-a-wrong-quote"),
    ],
)
def test_facts_missing(sentence: str, reason: str) -> None:
    reasons = missing_facts(sentence, [FTX])
    assert len(reasons) == 1 and reasons[0].startswith(reason) and "not in the cited passages" in reasons[0]


def test_acronym_matches_initials_of_a_name() -> None:
    assert missing_facts("The SEC fined the firm.", ["The Securities and Exchange Commission fined it."]) == []


def test_facts_may_come_from_any_cited_passage() -> None:
    assert missing_facts("FTX and Apple both reported news.", [FTX, APPLE]) == []
    assert missing_facts("FTX and Apple both reported news.", [FTX]) == ["name 'Apple' is not in the cited passages"]


def test_evidence_text_lets_sentences_cite_outlet_and_date() -> None:
    passage = Passage("c1", APPLE, ArticleRef("a1", "Apple revenue dips", "The Verge", "2023-11-02T21:00:00+00:00", ""))
    assert missing_facts("The Verge reported on November 2, 2023 that revenue fell.", [evidence_text(passage)]) == []


def test_lexical_support() -> None:
    assert lexical_support("Prosecutors said customers lost money.", [FTX]) == pytest.approx(2 / 4)
    assert lexical_support("It was.", [FTX]) == 1.0


# --- full verdicts with the real embedder ----------------------------------------------------------------

class CountingEmbedder(Embedder):
    """The real embedder, counting the texts it is asked to embed (to check the cache)."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner.batch_size)
        self.inner = inner
        self.seen = 0

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        self.seen += len(texts)
        return self.inner.embed_batch(texts)


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return make_embedder(load_settings())


@pytest.fixture
def verifier(minilm: Embedder) -> Verifier:
    return Verifier(CountingEmbedder(minilm))


SUPPORTED = [
    pytest.param("Prosecutors said he stole $8 billion from customers.", [FTX], id="verbatim"),
    pytest.param("Bankman-Fried was found guilty of fraud on November 2, 2023.", [FTX], id="paraphrase-date"),
    pytest.param("The jury took roughly four hours to reach its verdict.", [FTX], id="paraphrase-number-word"),
    pytest.param("Apple's quarterly revenue was $89.5bn, 1 percent lower than a year before.", [APPLE],
                 id="paraphrase-number-forms"),
    pytest.param("Coinbase shares climbed 3.5% following the verdict.", [FTX], id="rounded-number"),
    pytest.param("Williams said Bankman-Fried “knew it was wrong”.", [FTX], id="partial-quote"),
    pytest.param("Tim Cook said iPhone sales set a record.", [FTX, APPLE], id="second-cited-passage"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("sentence", "cited"), SUPPORTED)
def test_supported(verifier: Verifier, sentence: str, cited: list[str]) -> None:
    verdict = verifier.check(sentence, cited)
    assert verdict.supported, verdict.reasons
    assert verdict.reasons == [] and 0 <= verdict.score <= 1


UNSUPPORTED = [
    pytest.param("Prosecutors said he stole $9 billion from customers.", [FTX], "number", id="changed-number"),
    pytest.param("Sam Altman was convicted of seven counts of fraud.", [FTX], "name", id="swapped-name"),
    pytest.param("Judge Lewis Kaplan set sentencing for March 29, 2024.", [FTX], "date", id="changed-date"),
    pytest.param("Williams said “Bankman-Fried is a genius.”", [FTX], "quote", id="invented-quote"),
    pytest.param("Prosecutors said he stole $8 billion from customers.", [], "cites no passage", id="uncited"),
    pytest.param("The weather stayed warm and sunny all week.", [FTX], "similarity", id="unrelated-claim"),
    pytest.param("The jury deliberated for about four hours.", [APPLE], "number 'four'", id="wrong-passage"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("sentence", "cited", "reason"), UNSUPPORTED)
def test_unsupported(verifier: Verifier, sentence: str, cited: list[str], reason: str) -> None:
    verdict = verifier.check(sentence, cited)
    assert not verdict.supported
    assert any(r.startswith(reason) for r in verdict.reasons), verdict.reasons


@pytest.mark.slow
def test_check_answer_marks_invalid_citations(verifier: Verifier) -> None:
    answer = "Prosecutors said he stole $8 billion [1][3]. Apple's revenue was $89.5 billion [5]."
    verdicts = verifier.check_answer(parse_citations(answer, 2), [FTX, APPLE])
    assert verdicts[0].supported and verdicts[0].reasons == ["cites [3], not among the 2 passages"]
    assert not verdicts[1].supported
    assert verdicts[1].reasons == ["cites no passage", "cites [5], not among the 2 passages"]


@pytest.mark.slow
def test_passage_windows_are_embedded_once(verifier: Verifier) -> None:
    verifier.check("Prosecutors said he stole $8 billion.", [FTX])
    first = verifier.vectors.embedder.seen
    verifier.check("Prosecutors said he stole $8 billion.", [FTX])
    assert verifier.vectors.embedder.seen == first
    verifier.check("The jury deliberated for four hours.", [FTX])
    assert verifier.vectors.embedder.seen - first <= 1 + len(passage_windows(FTX)) - RULE_WINDOWS
