"""The learned answer-candidate scorer: the shipped model, its feature rows and its calibrated probability, on
real spaCy parses of real sentences (no fakes)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from assistant.answer.candidate_features import FEATURES, rows
from assistant.answer.candidate_scorer import CandidateScorer, shipped
from assistant.answer.evidence import Evidence
from assistant.answer.extract import candidates, gathered
from assistant.answer.wants import wanted
from assistant.core.passage import ArticleRef, Passage

QUESTION = "Who won the 2026 Booker Prize for fiction?"


def _passage(n: int, text: str, title: str, day: str) -> Passage:
    ref = ArticleRef(id=f"a{n}", title=title, source=f"Outlet {n}", published_at=day, url=f"https://example.org/{n}")
    return Passage(chunk_id=f"c{n}", text=text, article=ref)


@pytest.fixture(scope="module")
def evidence() -> tuple[list[Evidence], list[Passage]]:
    attached = "Maria Lopez won the 2026 Booker Prize for fiction on Tuesday, the judges announced."
    loose = "The ceremony in London was hosted by the broadcaster Tom Hughes, who later thanked the sponsors."
    passages = [_passage(0, f"{attached} {loose}", "Booker Prize goes to debut novel", "2026-11-10")]
    return [Evidence(passages[0], attached, 0.7), Evidence(passages[0], loose, 0.5)], passages


def test_the_shipped_model_loads_with_the_declared_features() -> None:
    scorer = CandidateScorer.load()
    assert scorer.trees.feature.max() < len(FEATURES)
    assert 0.0 < scorer.floor < 1.0 and scorer.slope > 0


def test_each_candidate_has_a_row_of_the_declared_length(evidence) -> None:
    ranked, passages = evidence
    want = wanted(QUESTION)
    found = gathered(want, QUESTION, ranked, passages)
    assert {c.text for c in found} == {"Maria Lopez", "Tom Hughes"}
    table = rows(found, want, QUESTION, passages, date(2026, 11, 12))
    assert table.shape == (len(found), len(FEATURES))
    assert table[:, FEATURES.index("days_after_freshest")].tolist() == [0.0, 0.0]  # one report: neither is older


def test_the_candidate_attached_to_the_question_outranks_an_unattached_one(evidence) -> None:
    ranked, passages = evidence
    best, other = candidates(wanted(QUESTION), QUESTION, ranked, passages, date(2026, 11, 12))
    assert best.text == "Maria Lopez" and other.text == "Tom Hughes"
    assert best.score > other.score and best.best.closeness > other.best.closeness


def test_the_probability_is_monotone_in_the_tree_score(evidence) -> None:
    ranked, passages = evidence
    want = wanted(QUESTION)
    base = rows(gathered(want, QUESTION, ranked, passages), want, QUESTION, passages, date(2026, 11, 12))
    rng = np.random.default_rng(0)
    table = np.repeat(base, 100, axis=0) * rng.uniform(0.0, 2.0, size=(len(base) * 100, len(FEATURES)))
    scorer = shipped()
    order = np.argsort(scorer.trees.score(table))
    assert np.all(np.diff(scorer.probability(table)[order]) >= 0)
    assert np.all((scorer.probability(table) > 0) & (scorer.probability(table) < 1))


def test_a_name_that_only_modifies_a_noun_is_marked_and_the_which_noun_is_measured() -> None:
    question = "Which prosecutor questioned Eddie Cue?"
    said = "Prosecutor Meagan Bellshaw questioned Cue about Apple's deal, and Cue's answers were short."
    passages = [_passage(0, said, "Cue testifies", "2023-09-26")]
    found = {c.text: c for c in gathered(wanted(question), question, [Evidence(passages[0], said, 0.7)], passages)}
    assert found["Meagan Bellshaw"].best.syntax == 1  # the subject of "questioned"
    assert found["Apple"].best.syntax == -1  # "Apple's deal": a possessive
    # "Prosecutor" is part of its name's phrase: the nearest of the sentence's names to the question's noun
    assert found["Meagan Bellshaw"].best.noun > max(c.best.noun for t, c in found.items() if t != "Meagan Bellshaw")
    table = rows(list(found.values()), wanted(question), question, passages, None)
    assert table[:, FEATURES.index("similarity_gap")].tolist() == [0.0] * len(found)


def test_initials_the_question_writes_count_as_asked() -> None:
    question = "What did the EU offer India?"
    said = "The European Union offered India a security pact."
    passages = [_passage(0, said, "EU and India", "2025-02-28")]
    found = gathered(wanted(question), question, [Evidence(passages[0], said, 0.7)], passages)
    table = rows(found, wanted(question), question, passages, None)
    asked = {c.text: v for c, v in zip(found, table[:, FEATURES.index("initials_asked")])}
    assert asked["The European Union"] == 1.0


@pytest.mark.parametrize("sentence, name, verb, role", [
    ("Judge Amit Mehta, presiding over the case, leaned into his microphone.", "Amit Mehta", "preside", "agent"),
    ("Amit Mehta, who presided over the case, spoke first.", "Amit Mehta", "preside", "agent"),
    ("Arrested on Monday, John Smith said nothing.", "John Smith", "arrest", "patient"),
    ("When Amit Mehta presided, Eddie Cue spoke.", "Eddie Cue", "preside", None),  # the clause has its own subject
])
def test_a_name_takes_its_part_in_a_clause_that_modifies_it(sentence: str, name: str, verb: str, role) -> None:
    from assistant.answer.extract import _role_of
    from assistant.text.nlp import parse

    span = next(e for e in parse(sentence).ents if e.text == name)
    assert _role_of(span, verb) == role


def _naming(question: str, first: str, second: str, word: str) -> list:
    """The candidates whose key holds ``word`` in a passage of two sentences, the first the more similar."""
    passages = [_passage(0, f"{first} {second}", "Two sentences", "2025-10-03")]
    ranked = [Evidence(passages[0], first, 0.7), Evidence(passages[0], second, 0.6)]
    return [c for c in gathered(wanted(question), question, ranked, passages) if word in c.key]


def test_a_possessive_and_a_short_form_are_one_candidate() -> None:
    found = _naming("Which singer released a new album?", "Taylor Swift's new album is out on Friday.",
                    "The album by Swift sold a million copies in its first week.", "swift")
    assert len(found) == 1 and found[0].key == ("taylor", "swift")
    assert sorted(o.text for o in found[0].occurrences) == ["Swift", "Taylor Swift"]


def test_a_surname_two_people_share_stays_apart() -> None:
    question = "Which politician spoke first?"
    said = "Ed Miliband spoke first and David Miliband replied, but Miliband was cheered."
    passages = [_passage(0, said, "Debate", "2015-04-30")]
    found = {c.key for c in gathered(wanted(question), question, [Evidence(passages[0], said, 0.7)], passages)}
    assert {("ed", "miliband"), ("david", "miliband")} <= found


def test_the_candidate_of_the_kind_asked_for_is_closer_to_the_questions_noun(embedder) -> None:
    from assistant.index.vectors import UnitVectors

    question = "Which award show took place in Los Angeles?"
    said = "The Emmy Awards took place in Los Angeles on Sunday and aired on CBS."
    passages = [_passage(0, said, "Emmys", "2025-09-15")]
    want = wanted(question)
    assert want.phrase == "award show"
    found = gathered(want, question, [Evidence(passages[0], said, 0.7)], passages)
    table = rows(found, want, question, passages, None, UnitVectors(embedder).vectors)
    kind = {c.text: v for c, v in zip(found, table[:, FEATURES.index("noun_similarity")])}
    assert kind["The Emmy Awards"] > kind["CBS"]
    assert np.isnan(rows(found, want, question, passages, None)[:, FEATURES.index("noun_similarity")]).all()


def test_a_joined_short_form_is_stated_by_its_fullest_name() -> None:
    found = _naming("Which NFL team has played the most Thanksgiving games?",
                    "The Lions have played 84 Thanksgiving games, the most of any team.",
                    "The Detroit Lions host the Green Bay Packers on Thursday.", "lion")
    assert len(found) == 1 and found[0].name == "Detroit Lions"
    assert sorted(o.text for o in found[0].occurrences) == ["Lions", "The Detroit Lions"]


def test_a_short_quoted_term_answers_a_what_question_and_a_quoted_statement_does_not() -> None:
    question = "What is the dictionary's word of the year?"
    found = _naming(question, 'The dictionary has selected "parasocial" for its 2025 Word of the Year.',
                    '"We saw millions of fans relate to it," the editor said.', "parasocial")
    assert [(c.text, c.label) for c in found] == [("parasocial", "TERM")]
    statement = _naming(question, 'The dictionary has selected "parasocial" for its 2025 Word of the Year.',
                        '"We saw millions of fans relate to it," the editor said.', "fans")
    assert statement == []
    assert "TERM" not in wanted("Which country won the cup?").labels


def test_a_sentences_first_word_before_a_full_name_is_no_part_of_it() -> None:
    from assistant.answer.extract import Found, Occurrence
    from assistant.answer.full_names import full_name

    said = "Trust Taylor Swift to send the internet into a meltdown. Sam Altman said the company would grow."
    passages = [_passage(0, said, "New album", "2025-10-03")]
    swift = _naming("Which singer released a new album?", "Taylor Swift's new album is out on Friday.",
                    "Fans queued overnight.", "swift")
    assert full_name(swift[0], passages) is None
    altman = _naming("Who leads the company?", "OpenAI chief executive Altman said the company would grow.",
                     "Fans queued overnight.", "altman")
    assert full_name(altman[0], passages)[0] == "Sam Altman"  # a short name's full form may open a sentence


def test_a_verb_opening_a_sentence_is_no_first_name() -> None:
    from assistant.answer.extract import Found, Occurrence
    from assistant.answer.full_names import full_name

    said = '"Taking Tylenol is not good. I will say it," the president said. Doctors said the drug is safe.'
    passages = [_passage(0, said, "Doctors push back", "2025-09-23")]
    tylenol = _naming("Which medication did the president link to autism?",
                      "The president linked Tylenol to autism on Monday.", "Doctors pushed back.", "tylenol")
    assert tylenol and full_name(tylenol[0], passages) is None  # not "Taking Tylenol"


def test_an_amounts_longer_form_is_another_claim_not_its_full_name() -> None:
    from assistant.answer.typed import _fuller

    question = "Which amount did the president promise in rebate checks?"
    first = "The president promised Americans a $2,000 rebate check from tariff income."
    second = "Economists said families could get at least $2,000 each next year."
    found = _naming(question, first, second, "000")
    assert len(found) == 1 and found[0].name == "at least $2,000"  # both mentions are one candidate
    passages = [_passage(0, f"{first} {second}", "Two sentences", "2025-10-03")]
    assert _fuller(found[0], passages, {}) is None
    lions = _naming("Which NFL team has played the most Thanksgiving games?",
                    "The Lions have played 84 Thanksgiving games, the most of any team.",
                    "The Detroit Lions host the Green Bay Packers on Thursday.", "lion")
    assert _fuller(lions[0], passages, {})[0] == "Detroit Lions"


def test_a_name_the_evidence_tags_elsewhere_is_a_candidate_where_the_model_missed_it() -> None:
    # the small model tags no person in "…Space Andrius Kubilius"; the second sentence names him as one
    first = ("In a related development, Minister of State for Defence Sanjay Seth held talks with the EU "
             "Commissioner for Defence and Space Andrius Kubilius.")
    found = _naming("Who did Sanjay Seth hold talks with?", first,
                    "Andrius Kubilius is visiting India as a part of the delegation.", "kubiliu")
    assert len(found) == 1 and found[0].label == "PERSON"
    assert first in {o.evidence.sentence for o in found[0].occurrences}


def test_a_list_that_ends_in_a_name_is_no_longer_form_of_it() -> None:
    from assistant.answer.extract import _longer_forms

    keys = [("sanjay", "seth", "and", "andrius", "kubilius"), ("andrius", "kubilius")]
    assert _longer_forms(("kubilius",), keys) == [("andrius", "kubilius")]


def test_an_acronym_joins_the_name_it_stands_for() -> None:
    """"U.K." and "the United Kingdom" are one candidate, stated by its full name; an acronym nothing spells
    out ("NATO" here) stays its own."""
    question = "Which country did the president visit this week?"
    first = "The president arrived in the U.K. on Tuesday for a state visit, NATO officials said."
    second = "The visit to the United Kingdom was his second."
    passages = [_passage(0, f"{first} {second}", "State visit", "2026-11-10")]
    ranked = [Evidence(passages[0], first, 0.7), Evidence(passages[0], second, 0.6)]
    found = gathered(wanted(question), question, ranked, passages)
    joined = [c for c in found if "kingdom" in c.key]
    assert len(joined) == 1 and {o.text for o in joined[0].occurrences} == {"U.K.", "the United Kingdom"}
    assert joined[0].name == "United Kingdom"
    assert not any(c.key == ("uk",) for c in found)


def test_a_place_joins_its_form_with_the_region() -> None:
    """"Louisville" and "Louisville, Kentucky" are one place (its longer form opens on it); another city
    written with its region stays apart."""
    question = "Where did the cargo plane crash?"
    first = "The cargo plane crashed shortly after takeoff from Louisville on Tuesday evening."
    second = "The crash near the airport in Louisville, Kentucky, killed three people, officials said."
    third = "The plane had been bound for Honolulu, Hawaii."
    passages = [_passage(0, f"{first} {second} {third}", "Cargo plane crash", "2026-11-10")]
    ranked = [Evidence(passages[0], first, 0.7), Evidence(passages[0], second, 0.6), Evidence(passages[0], third, 0.5)]
    found = gathered(wanted(question), question, ranked, passages)
    joined = [c for c in found if "louisville" in c.key]
    assert len(joined) == 1 and {o.text for o in joined[0].occurrences} >= {"Louisville", "Louisville, Kentucky"}
    assert joined[0].name == "Louisville, Kentucky"
    assert not any("louisville" in c.key for c in found if "honolulu" in c.key)


def test_a_list_that_opens_on_a_place_is_no_form_of_it() -> None:
    question = "Which country did the hurricane hit first?"
    first = "The hurricane made landfall in Jamaica, Cuba and Haiti on Tuesday."
    second = "Jamaica was the hardest hit, officials said."
    passages = [_passage(0, f"{first} {second}", "Hurricane", "2026-11-10")]
    ranked = [Evidence(passages[0], first, 0.7), Evidence(passages[0], second, 0.6)]
    found = gathered(wanted(question), question, ranked, passages)
    assert any(c.key == ("jamaica",) for c in found)


def test_a_name_qualifying_a_noun_is_no_full_name() -> None:
    """"the White House YouTube page" is a page: YouTube keeps its own name, where "Sam Altman" still gives
    "Altman" his."""
    from assistant.answer.extract import Found, Occurrence
    from assistant.answer.full_names import full_name

    question = "Which platform will the Oscars move to in 2029?"
    first = "After decades on ABC, the Oscars are moving to YouTube in 2029, the academy said."
    second = "The ceremony will stream on the White House YouTube page and social pages."
    third = "Altman said the deal was done. Sam Altman founded the company."
    passages = [_passage(0, f"{first} {second}", "Oscars move to YouTube", "2026-11-10"),
                _passage(1, third, "Deal done", "2026-11-10")]
    ranked = [Evidence(passages[0], first, 0.7), Evidence(passages[0], second, 0.6)]
    youtube = next(c for c in gathered(wanted(question), question, ranked, passages) if c.key == ("youtube",))
    assert full_name(youtube, passages) is None and youtube.name == "YouTube"
    said = Evidence(passages[1], "Altman said the deal was done.", 0.7)
    altman = Found(("altman",), "PERSON", [Occurrence(said, "Altman", 0, 0.0, 0.0, 0, 1, 0.0)])
    assert full_name(altman, passages)[0] == "Sam Altman"
