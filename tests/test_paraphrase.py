"""Faithful paraphrases the verifier must accept — another tense or number, an organisation by its
initials — and the changes it must still reject: another organisation's initials, another name, number or
a negation (real spaCy, the real shipped verifier at its shipped threshold)."""

from __future__ import annotations

import pytest

from assistant.core.settings import load_settings
from assistant.grounding.facts import missing_facts
from assistant.grounding.verifier import Verifier, make_verifier
from assistant.text.initials import Initials, acronym, in_full, spell_like, spelled_out
from assistant.text.words import whole_phrase, word_keys

HEADLINE = "EU explores security pact with India"
SPELLED = "The European Union is exploring a security pact with India."


@pytest.mark.parametrize(("word", "letters"), [("EU", "EU"), ("U.S.", "US"), ("EU's", "EU"), ("NATO", "NATO"),
                                                ("Union", ""), ("A", "")])
def test_acronym(word: str, letters: str) -> None:
    assert acronym(word) == letters


def test_spelled_out_parts_and_their_initials() -> None:
    found = {s.text: s.initials for s in spelled_out("The Bank of England met the European Union Commissioner.")}
    assert found["Bank of England"] == {"BE", "BOE"}
    assert found["European Union"] == {"EU"} and "EUC" in found["European Union Commissioner"]
    assert not any(t.startswith("The") for t in found)  # a capitalised stop word starts no name
    # a word in capitals is an abbreviation already: no part holding one spells anything
    assert [s.text for s in spelled_out("EU Commissioner Andrius Kubilius")] == ["Commissioner Andrius",
                                                                               "Commissioner Andrius Kubilius",
                                                                               "Andrius Kubilius"]


@pytest.mark.parametrize(
    ("text", "other", "expected"),
    [
        pytest.param(SPELLED, HEADLINE, "The EU is exploring a security pact with India.", id="to-initials"),
        pytest.param(HEADLINE, SPELLED, "European Union explores security pact with India", id="to-full"),
        pytest.param("The UN is exploring a pact.", SPELLED, "The UN is exploring a pact.", id="other-initials"),
        pytest.param("The United Nations met.", HEADLINE, "The United Nations met.", id="other-name"),
    ],
)
def test_spell_like_writes_names_as_the_other_text(text: str, other: str, expected: str) -> None:
    keys = set(word_keys(other))
    assert spell_like(text, Initials.of(other), lambda name: all(k in keys for k in word_keys(name))) == expected


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        pytest.param(SPELLED, HEADLINE, id="full-name-against-initials"),
        pytest.param(HEADLINE, SPELLED, id="initials-against-full-name"),
    ],
)
def test_a_name_by_its_initials_is_not_missing(claim: str, evidence: str) -> None:
    assert missing_facts(claim, [evidence]) == []


@pytest.mark.parametrize(
    ("claim", "evidence", "reason"),
    [
        pytest.param("The UN is exploring a security pact with India.", HEADLINE, "name 'UN'", id="other-initials"),
        pytest.param("The United Nations is exploring a security pact with India.", HEADLINE, "name 'United Nations'",
                     id="other-organisation"),
        pytest.param("NATO is exploring a security pact with India.", SPELLED, "name 'NATO'", id="initials-unspelled"),
    ],
)
def test_another_organisation_is_still_missing(claim: str, evidence: str, reason: str) -> None:
    assert any(r.startswith(reason) for r in missing_facts(claim, [evidence]))


@pytest.fixture(scope="module")
def verifier(embedder) -> Verifier:
    return make_verifier(load_settings(), embedder, learned=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        pytest.param(SPELLED, HEADLINE, id="full-name-against-headline"),
        pytest.param(HEADLINE + ".", SPELLED, id="headline-against-full-name"),
        pytest.param("The European Union explored a security pact with India.", SPELLED, id="past-tense"),
        pytest.param("Union leaders talked about the strikes on Monday.",
                     "Union leaders talk about the strike on Monday.", id="tense-and-number"),
    ],
)
def test_faithful_paraphrase_is_supported(verifier: Verifier, claim: str, evidence: str) -> None:
    verdict = verifier.check(claim, [evidence])
    assert verdict.supported, verdict


@pytest.mark.slow
@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        pytest.param("The UN is exploring a security pact with India.", HEADLINE, id="other-organisations-initials"),
        pytest.param("The European Union is exploring a security pact with Pakistan.", HEADLINE, id="changed-name"),
        pytest.param("The European Union is exploring three security pacts with India.",
                     "EU explores two security pacts with India", id="changed-number"),
        pytest.param("The European Union is not exploring a security pact with India.", HEADLINE, id="negation"),
        pytest.param("The European Union did not explore a security pact with India.", SPELLED, id="negated-past"),
    ],
)
def test_changed_fact_is_still_not_supported(verifier: Verifier, claim: str, evidence: str) -> None:
    verdict = verifier.check(claim, [evidence])
    assert not verdict.supported, verdict


@pytest.mark.slow
@pytest.mark.parametrize(
    ("claim", "evidence", "side"),
    [
        pytest.param("The European Union is not exploring a security pact with India.", SPELLED, "adds",
                     id="negation-added"),
        pytest.param(SPELLED, "The European Union is not exploring a security pact with India.", "drops",
                     id="negation-dropped"),
    ],
)
def test_a_flipped_negation_of_the_passages_words_is_a_reason(verifier: Verifier, claim: str, evidence: str,
                                                              side: str) -> None:
    verdict = verifier.check(claim, [evidence])
    assert not verdict.supported and verdict.reasons[0].startswith(f"negation: the claim {side}"), verdict


@pytest.mark.slow
def test_a_verdict_label_before_the_passages_sentence_is_no_negation(verifier: Verifier) -> None:
    # a yes/no answer quotes its evidence after "No:"; the label answers the question, it negates nothing
    verdict = verifier.check(f"No: {SPELLED}", [SPELLED])
    assert not any(r.startswith("negation:") for r in verdict.reasons), verdict


@pytest.mark.parametrize("before, short, full, expected", [
    ("", "FAA", "Federal Aviation Administration", "The Federal Aviation Administration"),
    ("he is suing ", "BBC", "British Broadcasting Corporation", "the British Broadcasting Corporation"),
    ("a visit to the ", "U.K.", "United Kingdom", "United Kingdom"),
    ("President Trump's ", "FBI", "Federal Bureau of Investigation", "Federal Bureau of Investigation"),
    ("", "Altman", "Sam Altman", "Sam Altman"),
])
def test_a_bare_acronym_written_in_full_takes_the(before: str, short: str, full: str, expected: str) -> None:
    assert in_full(before, short, full) == expected


def test_whole_phrase_ends_at_punctuation_not_inside_words() -> None:
    assert [m.group(0) for m in whole_phrase("U.K.").finditer("the U.K., then the UK.")] == ["U.K."]
    assert not whole_phrase("Fried").search("Sam Bankman-Fried said") and not whole_phrase("Lee").search("Leeds")
    assert whole_phrase("Lee").search("Spike Lee's film")
