"""Briefing lines that stand alone: pronoun referents, actors' roles, event days, and the sample article's
note (every actor in full with a role, no bullet opening on a pronoun, every bullet cited and verified)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from assistant.text.people import cast, role_of
from assistant.text.standalone import stand_alone
from assistant.text.event_dates import event_date, resolve_weekday
from assistant.text.nlp import parse
from tests.conftest import make_settings

SAMPLE = Path(__file__).parent / "data" / "eu-india-security-defence-2025-02-28.txt"
PRONOUN = re.compile(r"^\W*(?:he|she|they|it|his|her|their|its|this|these|those)\b", re.IGNORECASE)


@pytest.mark.parametrize(("previous", "sentence", "expected"), [
    ("Minister Sanjay Seth held talks with Commissioner Andrius Kubilius.",
     "They discussed maritime security.", "Sanjay Seth and Andrius Kubilius discussed maritime security."),
    ("Angela Merkel arrived in Paris on Monday.", "She met the president.", "Angela Merkel met the president."),
    ("Angela Merkel arrived in Paris on Monday.", "In a speech, she praised the deal.",
     "In a speech, Angela Merkel praised the deal."),
    ("The talks went well, the defence ministry said.", "It said more meetings were planned.",
     "The defence ministry said more meetings were planned."),
    ("The weather was cold.", "He said the deal was done.", None),
    ("Prices rose sharply.", "This is why the bank acted.", None),
    ("Prices rose sharply.", "This week the bank acted.", "This week the bank acted."),
    ("Prices rose sharply.", "The bank acted.", "The bank acted."),
    # "her" is Barrientos (named elsewhere); the one person named here is not the subject
    ("It was her eighth husband, Rashid Rajput, that was deported.", "She has pleaded not guilty.", None),
    # a pronoun inside a quotation is the speaker's: it cannot be rewritten
    ("Louis Jordan said the currents were strong.", '"It took so long," he said.', None),
    ("Louis Jordan said the currents were strong.", "'They have a kid together.", None),
    # "it" that is no organisation's ("It was too late") is not given one
    ("McHenry quickly issued an apology to Disney.", "It was, however, too late.", None),
])
def test_opening_pronoun_takes_its_referent_or_the_line_is_skipped(previous, sentence, expected) -> None:
    known = cast([previous, sentence])
    assert stand_alone(sentence, parse(sentence), parse(previous), known) == expected


def test_a_surname_several_people_share_is_written_as_the_sentence_before_writes_it() -> None:
    previous = "At the rally, Ed Miliband told supporters a Labour government would build homes."
    known = cast([previous, "Justine Miliband watched from the front row.", "He said the plan was costed."])
    assert known["miliband"].shared and not cast(["Ursula von der Leyen spoke.", "Von der Leyen left."])["leyen"].shared
    sentence = "He said the plan was costed."
    assert stand_alone(sentence, parse(sentence), parse(previous), known) == "Ed Miliband said the plan was costed."
    previous = "Miliband told supporters a Labour government would build homes."
    assert stand_alone(sentence, parse(sentence), parse(previous), known) is None


@pytest.mark.parametrize(("sentence", "name", "role"), [
    ("In a related development, Minister of State for Defence Sanjay Seth held talks.", "Sanjay Seth",
     "Minister of State for Defence"),
    ("Talks were held with the EU Commissioner for Defence and Space Andrius Kubilius.", "Andrius Kubilius",
     "EU Commissioner for Defence and Space"),
    ("It was made by European Commission president Ursula von der Leyen ahead of talks.", "Ursula von der Leyen",
     "European Commission president"),
    ("John Smith, the chief executive of Acme Corp, said profits fell.", "John Smith", "chief executive of Acme Corp"),
    ("John Smith said profits fell.", "John Smith", ""),
    ("WASHINGTON \u2212 Defense Secretary Pete Hegseth ordered a meeting.", "Pete Hegseth", "Defense Secretary"),
])
def test_role_from_title_or_appositive(sentence, name, role) -> None:
    doc = parse(sentence)
    start = next(t.i for t in doc if t.text == name.split()[0])
    assert role_of(doc, start, start + len(name.split())) == role


@pytest.mark.parametrize(("weekday", "published", "future", "direction", "expected"), [
    ("Tuesday", date(2025, 2, 28), False, "", date(2025, 2, 25)),
    ("Friday", date(2025, 2, 28), False, "", date(2025, 2, 28)),
    ("Friday", date(2025, 2, 28), False, "last", date(2025, 2, 21)),
    ("Tuesday", date(2025, 2, 28), True, "", date(2025, 3, 4)),
    ("Friday", date(2025, 2, 28), False, "next", date(2025, 3, 7)),
    ("sunday", date(2025, 1, 1), False, "", date(2024, 12, 29)),
])
def test_weekday_resolved_against_the_article_date(weekday, published, future, direction, expected) -> None:
    assert resolve_weekday(weekday, published, future, direction) == expected


@pytest.mark.parametrize(("text", "published", "expected"), [
    ("The ministers met on Tuesday in Brussels.", date(2025, 2, 28), date(2025, 2, 25)),
    ("The ministers will meet on Tuesday.", date(2025, 2, 28), date(2025, 3, 4)),
    ("He resigned yesterday.", date(2025, 2, 28), date(2025, 2, 27)),
    ("The deal was signed on December 20.", date(2025, 1, 3), date(2024, 12, 20)),
    ("The deal was signed on 5 March 2023.", None, date(2023, 3, 5)),
    ("The ministers met on Tuesday.", None, None),
    ("Sales rose in March.", date(2025, 4, 2), None),
])
def test_event_date(text, published, expected) -> None:
    found = event_date(text, published)
    assert (found.day if found else None) == expected


@pytest.fixture(scope="module")
def sample_brief(embedder, tmp_path_factory):
    from assistant.brief.select import articles_from_texts
    from assistant.brief.writer import brief_articles
    from assistant.text.dates import split_date_line

    settings = make_settings(tmp_path_factory.mktemp("unused") / "index", **{"llm.spec": "none"})
    title, body = SAMPLE.read_text(encoding="utf-8").split("\n", 1)
    _, body = split_date_line(body.strip())
    articles = articles_from_texts([body], settings, titles=[title.strip()], published_at="2025-02-28")
    return brief_articles(articles, settings, topic="EU-India security and defence partnership", llm=None,
                          embedder=embedder, progress=False)


def test_sample_actors_named_in_full_with_roles(sample_brief) -> None:
    labels = [b.label for b in sample_brief.section("actors").bullets]
    for wanted in ("Andrius Kubilius, EU Commissioner for Defence and Space",
                   "Sanjay Seth, Minister of State for Defence",
                   "Ursula von der Leyen, European Commission president"):
        assert wanted in labels


def test_sample_bullets_stand_alone_and_are_verified(sample_brief) -> None:
    bullets = sample_brief.bullets()
    assert bullets
    for bullet in bullets:
        assert not PRONOUN.match(bullet.text), bullet.text
        assert bullet.citations and bullet.supported, bullet.text
    prose = sample_brief.prose()
    assert not re.search(r"(?:^|[.,] )(?:she|he|they) [a-z]+ed\b", prose)
    # a role standing for its one holder is written with her name ("The European Commission president said…")
    assert not re.search(r"(?:^|[.!?] )The European Commission president\b", prose)
    assert sample_brief.stats["verified_bullets"] == sample_brief.stats["bullets"]


def test_a_trailing_it_said_names_who_says_it(sample_brief) -> None:
    prose = " ".join(b.text for b in sample_brief.bullets())
    assert "the defence ministry said in a statement" in prose
    assert not re.search(r", it (?:said|added|told|stated)\b", prose)


@pytest.mark.parametrize("previous, sentence, expected", [
    ("The defence ministry said Seth and Kubilius explored ways to cooperate.",
     "They considered the modalities, it said in a statement.",
     "They considered the modalities, the defence ministry said in a statement."),
    ("Seth and Kubilius explored ways to cooperate.",  # no one saying anything before: left as it is
     "They considered the modalities, it said in a statement.",
     "They considered the modalities, it said in a statement."),
    ("Andrius Kubilius said Seth and he explored ways to cooperate.",  # "it" is no person
     "They considered the modalities, it said in a statement.",
     "They considered the modalities, it said in a statement."),
    ("The ministry said the talks went well.",  # an "it" inside a quotation is the speaker's
     '"It said nothing new, it said," she added.',
     '"It said nothing new, it said," she added.'),
])
def test_attributed(previous: str, sentence: str, expected: str) -> None:
    from assistant.text.standalone import attributed

    assert attributed(sentence, parse(sentence), [parse(previous)])[0] == expected


def test_a_referent_written_in_full_cites_the_passage_that_names_it(embedder, tmp_path) -> None:
    """"She said…" becomes "Britt McHenry said…": the line then cites the passage that writes the full name,
    so the verifier finds it there (it used to drop such lines: the name was not in the cited passages)."""
    from assistant.brief.model import BriefArticle
    from assistant.brief.pool import collect_sentences
    from assistant.brief.state import NoteState
    from assistant.core.passage import ArticleRef, Passage
    from assistant.grounding.verifier import Verifier
    from assistant.index.vectors import UnitVectors

    settings = make_settings(tmp_path / "index", **{"llm.spec": "none"})
    ref = ArticleRef("a1", "Reporter suspended", "Example News", "2015-04-17", "https://example.com/a1")
    texts = ["Britt McHenry is a sports reporter for ESPN in Washington. The network suspended her for a week.",
             "McHenry apologised for the remarks on Thursday evening. She said she regretted the words she used."]
    passages = [Passage(f"a1-{i:04d}", text, ref, position=i) for i, text in enumerate(texts)]
    memo = UnitVectors.of(embedder)
    state = NoteState([BriefArticle("a1", ref.title, ref.source, ref.published_at, ref.url, passages)], "",
                      settings, None, memo, Verifier(memo, settings.answer.support_threshold))
    collect_sentences(state)
    line = next(s for s in state.lines if s.text.startswith("Britt McHenry said"))
    assert [p.chunk_id for p in line.passages] == ["a1-0000", "a1-0001"]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("(CNN)ESPN's Britt McHenry this week found herself in the news.", "ESPN's Britt McHenry this week found herself in the news."),
    ("(The Hollywood Reporter)Stan Freberg, the comic, died at 88.", "Stan Freberg, the comic, died at 88."),
    ("(CNN) -- The EU and India met on Friday.", "The EU and India met on Friday."),
    ("NEW DELHI: The EU and India met on Friday.", "The EU and India met on Friday."),
    ("WASHINGTON − The EU and India met on Friday.", "The EU and India met on Friday."),  # U+2212
    ("(2003) was a good year for the film studio.", "(2003) was a good year for the film studio."),
    ("WASHINGTON (Reuters) - The Fed held rates steady on Wednesday.", "The Fed held rates steady on Wednesday."),
    ("date 2025-02-28 NEW DELHI: The EU and India met on Friday.", "The EU and India met on Friday."),
    ("U.S. - China talks resumed in Geneva on Monday.", "U.S. - China talks resumed in Geneva on Monday."),
    ("SYDNEY - Australia banned social media for children under 16.", "Australia banned social media for children under 16."),
])
def test_datelines_and_agency_credits_are_stripped(sentence, expected) -> None:
    from assistant.text.datelines import strip_dateline

    assert strip_dateline(sentence, 6) == expected


@pytest.mark.parametrize(("sentence", "names"), [
    pytest.param("Trust Taylor Swift to make a splash with her new album.", ["Taylor Swift"], id="imperative-first-word"),
    pytest.param("Ursula von der Leyen said the pact was close.", ["Ursula von der Leyen"], id="first-name-first"),
    pytest.param("Andrius Kubilius met Sanjay Seth in New Delhi.", ["Andrius Kubilius", "Sanjay Seth"], id="two-people"),
])
def test_a_sentences_first_word_is_no_part_of_a_full_name_after_it(sentence: str, names: list[str]) -> None:
    from assistant.text.people import mentions

    assert [m.name for m in mentions(parse(sentence))] == names


def test_a_name_does_not_open_on_the_object_of_an_offices_preposition() -> None:
    from assistant.text.people import full_span

    doc = parse("EU Commissioner for Defence Andrius Kubilius explored ways to deepen ties.")
    k = next(t.i for t in doc if t.text == "Kubilius")
    start, end = full_span(doc, k, k + 1)
    assert doc[start:end].text == "Andrius Kubilius"
    assert role_of(doc, start, end) == "EU Commissioner for Defence"
    other = parse("He held talks with Mary Ann Smith on Friday.")  # after another preposition the first names stay
    s = next(t.i for t in other if t.text == "Smith")
    assert other[full_span(other, s, s + 1)[0]:s + 1].text == "Mary Ann Smith"
