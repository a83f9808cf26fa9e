"""Summary-style training claims (real spaCy): merges, dropped attributions and resolved pronouns that stay
true, and the relation, coreference and discourse errors that do not."""

from __future__ import annotations

import random

from assistant.evals.perturb_summary import drop_attribution, link, merge, resolve_pronoun
from assistant.evals.verifier_cases import Case


def test_pronoun_second_sentence_merges_as_supported() -> None:
    kind, text = merge("Kubilius arrived in New Delhi on Tuesday.", "He met Indian officials at the ministry.")
    assert kind == "merge"
    assert text == "Kubilius arrived in New Delhi on Tuesday and met Indian officials at the ministry."
    assert Case(kind, text, "", "").supported


def test_other_named_subject_merges_as_a_relation_error() -> None:
    kind, text = merge("Kubilius arrived in New Delhi on Tuesday.", "Sanjay Seth welcomed the EU delegation.")
    assert kind == "merge_wrong" and text == "Kubilius welcomed the EU delegation."
    assert not Case(kind, text, "", "").supported


def test_reporting_frame_is_dropped() -> None:
    assert drop_attribution("The ministry said the two sides explored ways to deepen defence ties.") == \
        "The two sides explored ways to deepen defence ties."
    assert drop_attribution("The two sides explored ways to deepen defence ties.") is None


def test_pronoun_resolved_to_the_named_person_or_another() -> None:
    made = dict(resolve_pronoun("Andrius Kubilius arrived in New Delhi.", "He met Indian officials.",
                                ["Andrius Kubilius", "Sanjay Seth"], random.Random(0)))
    assert made == {"resolve": "Andrius Kubilius met Indian officials.", "coref": "Sanjay Seth met Indian officials."}


def test_link_adds_a_connective_the_article_lacks() -> None:
    text = link("The talks ended on Friday.", "Prices rose sharply in March.", random.Random(0))
    assert text.startswith("The talks ended on Friday ") and text.endswith("prices rose sharply in March.")
    assert link("The talks ended because of the storm.", "Prices rose.", random.Random(0)) is None


def test_frank_lines_lose_ptb_brackets_but_keep_unknown_words(tmp_path) -> None:
    import json

    from assistant.evals.frank import load_frank

    path = tmp_path / "frank.json"
    path.write_text(json.dumps([{"article": "A.", "factuality": 1.0, "model": "s2s",
                                 "summary_lines": ["each bunk -LRB- PSU -RRB- has a screen .", " ", "stan UNK died ."]}]))
    assert load_frank(path)[0]["lines"] == ["each bunk (PSU) has a screen.", "stan UNK died."]
