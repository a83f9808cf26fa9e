"""The spaCy pipeline as the project uses it: loaded from the installed package, long names mended."""

from __future__ import annotations

import pytest

from assistant.text import nlp
from assistant.text.nlp import entities, parse, parse_many


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Ursula von der Leyen said the EU would offer India a pact.", ("Ursula von der Leyen", "PERSON"),
                 id="split-particle-name"),
    pytest.param("Andrius Kubilius, EU Commissioner for Defence and Space, met Sanjay Seth.",
                 ("Andrius Kubilius", "PERSON"), id="plain-person"),
])
def test_names_are_whole(text: str, expected: tuple[str, str]) -> None:
    found = [(e.text, e.label) for e in entities(parse(text))]
    assert expected in found
    assert not any(t != expected[0] and t in expected[0] for t, _ in found)


def test_entities_joined_by_a_conjunction_stay_apart() -> None:
    names = [e.text for e in entities(parse("Apple and Google sued the regulator in Brussels."))]
    assert "Apple" in names and "Google" in names


def test_spans_point_into_the_text_and_parses_are_cached() -> None:
    text = "Ursula von der Leyen visited New Delhi on Friday."
    doc = parse(text)
    assert all(text[e.start:e.end] == e.text for e in entities(doc))
    assert parse_many([text, "Another sentence."])[0] is doc


def test_syntax_only_parse_reads_pos_and_lemmas_on_demand() -> None:
    """``parse_syntax`` skips NER, the attribute ruler and the lemmatizer; ``coarse_pos`` and ``lemma`` give
    what the full pipeline would for the tokens the verifier reads."""
    text = "Kubilius said the ministers were visiting India."
    full, syntax = nlp.parse(text), nlp.parse_syntax([text])[0]
    assert not syntax.ents and [t.dep_ for t in syntax] == [t.dep_ for t in full]
    assert [nlp.coarse_pos(t) for t in syntax][:2] == ["PROPN", "VERB"]
    verbs = [t for t in syntax if t.tag_.startswith("VB")]
    assert [nlp.lemma(t) for t in verbs] == [t.lemma_ for t in full if t.tag_.startswith("VB")] == ["say", "be", "visit"]
