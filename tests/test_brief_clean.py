"""Prose lines are sentences of the story: statements run together without a full stop are told apart, a
dummy "it" needs no referent, a quote needs its speaker, a caption without a full stop is no line, and a
role standing for a person is written with the name the articles give it."""

from __future__ import annotations

import pytest

from assistant.brief.lines import prose_ok
from assistant.text.standalone import expletive, named_role, opening_pronoun, role_holders, stand_alone
from assistant.text.captions import glued_parts
from assistant.text.nlp import parse
from assistant.text.people import cast


@pytest.mark.parametrize(("text", "parts"), [
    ("People who never divorced can expect an income 13% higher than a colleague The cost of divorce can wreck "
     "retirement, according to research.",
     ["People who never divorced can expect an income 13% higher than a colleague",
      "The cost of divorce can wreck retirement, according to research."]),
    ("A programmer has created graphs of the colours of art through history They show orange has always led.",
     ["A programmer has created graphs of the colours of art through history", "They show orange has always led."]),
    ("He lives in The Hague and reads The Times every day.", None),            # names
    ("The show was called It Follows and it was scary.", None),                # a title
    ("He said I think it works.", None),                                       # "I" is written capitalised
    ("“We went there and The problem was clear,” she said.", None),            # inside a quote
    ("Modi and von der Leyen in New Delhi (Reuters photo) The EU is exploring a deal.", None),  # verbless caption
])
def test_statements_run_together_are_told_apart(text, parts) -> None:
    assert glued_parts(parse(text)) == (parts or [text])


@pytest.mark.parametrize(("sentence", "dummy"), [
    ("It is understood a teaching watchdog is working on disciplinary cases.", True),
    ("It has been claimed that the club will sell him.", True),
    ("It seems the plan failed.", True),
    ("It's amazing what a bit of make-up can do.", True),
    ("It said it would appeal.", False),
    ("It's pretty cringe-worthy stuff that seems impossible to defend.", False),
    ("It was too late.", False),
])
def test_a_dummy_it_is_no_pronoun_to_resolve(sentence, dummy) -> None:
    doc = parse(sentence)
    it = next(t for t in doc if t.lower_ == "it")
    assert expletive(it) is dummy
    assert (opening_pronoun(doc) is None) is dummy
    if dummy:  # it stands alone as written, with no sentence before it
        assert stand_alone(sentence, doc, None, {}) == sentence


@pytest.mark.parametrize(("text", "ok"), [
    ("'I said to him you have to control the ball before you shoot.'", False),  # nobody says it here
    ("'It was a great night for the club,' Locke said after the game.", True),
    ("Zodiac Aerospace have revealed their new designs for sleeping quarters for cabin crew", False),  # a caption
    ("Zodiac Aerospace have revealed their new designs for sleeping quarters.", True),
    ("The club said the deal was 'done'.", True),
])
def test_prose_lines_are_attributed_full_sentences(text, ok) -> None:
    assert prose_ok(text, 6, 60) is ok


def test_a_role_standing_for_a_person_is_written_with_their_name() -> None:
    texts = ["The announcement was made by European Commission president Ursula von der Leyen in Delhi.",
             "The European Commission president said there is a lot that both sides can build on."]
    known = cast(texts)
    assert named_role(texts[1], role_holders(known)) == (
        "European Commission president Ursula von der Leyen said there is a lot that both sides can build on.",
        "European Commission president Ursula von der Leyen")
    named = "Von der Leyen said the European Commission president would visit."  # she is named already
    assert named_role(named, role_holders(known)) == (named, "")
    assert named_role("The talks went well, the ministry said.", role_holders(known))[1] == ""
    two = cast(["Coach Ann Lee spoke.", "Coach Bo Park spoke.", "The coach said it was a good day."])
    assert named_role("The coach said it was a good day.", role_holders(two))[1] == ""  # two people hold the role


@pytest.mark.parametrize(("text", "cited", "ok"), [
    ("The European Union is expanding its strategic partnership with India, with", True, False),  # cut at a marker
    ("The European Union is expanding its strategic partnership with India", True, True),
    ("The European Union is expanding its strategic partnership with India", False, False),
    ("The European Union is expanding its strategic partnership with India, with a focus on defence.", False, True),
])
def test_a_model_line_cut_off_at_a_citation_is_no_sentence(text, cited, ok) -> None:
    from assistant.brief.lines import well_formed

    assert well_formed(text, cited, 6) is ok
