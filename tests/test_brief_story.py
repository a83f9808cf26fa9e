"""A note that follows the story: photo captions glued onto a sentence are cut off, an article that dates no
event still gets a timeline of what it reports by its publication day, and the standard note's length grows
with the distinct developments and the sources (``brief.words`` overrides it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.text.captions import without_captions
from assistant.text.nlp import parse
from tests.conftest import make_settings

SAMPLE = Path(__file__).parent / "data" / "eu-india-security-defence-2025-02-28.txt"
WORLD = [
    "The European Union and India agreed on Friday to open talks on a security and defence partnership. "
    "The agreement came at a summit in New Delhi between Ursula von der Leyen and Narendra Modi.",
    "Floods in southern Spain killed at least twelve people on Thursday, the regional government said. "
    "Rescue teams searched villages near Valencia for people missing after the storm.",
    "The Federal Reserve left interest rates unchanged on Wednesday, citing slowing inflation. "
    "Markets rose after the decision was announced in Washington.",
]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Prime Minister Narendra Modi and Ursula von der Leyen in New Delhi (Reuters photo) The European Union is "
     "exploring a security pact with India.", "The European Union is exploring a security pact with India."),
    ("File photo of the Supreme Court The court ruled on Monday that the law was unconstitutional.",
     "The court ruled on Monday that the law was unconstitutional."),
    ("The court ruled on Monday that the law was unconstitutional.",
     "The court ruled on Monday that the law was unconstitutional."),
    ("Ursula von der Leyen with Narendra Modi in New Delhi on Friday.", None),
])
def test_a_caption_without_a_finite_verb_is_cut_off(sentence, expected) -> None:
    assert without_captions(sentence, parse(sentence)) == expected


def test_a_quote_split_by_the_parser_is_no_caption() -> None:
    sentence = '"Great news." The minister said the talks would resume on Monday.'
    assert without_captions(sentence, parse(sentence)) == sentence


def _brief(embedder, tmp_path, texts, **overrides):
    from assistant.brief.select import articles_from_texts
    from assistant.brief.writer import brief_articles

    settings = make_settings(tmp_path / "index", **{"llm.spec": "none", **overrides})
    articles = articles_from_texts(texts, settings, published_at="2025-02-28")
    return brief_articles(articles, settings, llm=None, embedder=embedder, progress=False)


def test_an_undated_article_lists_what_it_reports_by_its_publication_day(embedder, tmp_path) -> None:
    from assistant.text.dates import split_date_line

    _, body = split_date_line(SAMPLE.read_text(encoding="utf-8").split("\n", 1)[1].strip())
    timeline = _brief(embedder, tmp_path, [body]).section("timeline").bullets
    assert timeline, "the sample article reports events; its timeline must not be empty"
    assert all(b.label == "2025-02-28 (reported)" and b.citations and b.supported for b in timeline)
    assert all(not b.text.startswith(("\"", "“")) and " said there " not in b.text for b in timeline)


def test_a_dated_event_is_listed_under_its_day_not_as_reported(embedder, tmp_path) -> None:
    text = ("Floods in southern Spain have killed at least twelve people, the regional government said. Rescue "
            "teams are searching villages near Valencia for people still missing. Roads and railway lines remain "
            "closed across the region. Officials warned that more rain is forecast for the weekend. The river "
            "burst its banks on Thursday after two days of heavy storms.")
    timeline = _brief(embedder, tmp_path, [text]).section("timeline").bullets
    assert [b.label for b in timeline] == ["2025-02-27"]


def test_the_note_grows_with_the_story_and_brief_words_overrides_it(embedder, tmp_path) -> None:

    one = _brief(embedder, tmp_path, WORLD[:1])
    several = _brief(embedder, tmp_path, WORLD)
    assert not one.section("key_developments").bullets and one.section("key_developments").note
    assert len(one.prose().split()) < len(several.prose().split())
    short = _brief(embedder, tmp_path, WORLD, **{"brief.words": 30})
    assert len(short.prose().split()) < len(several.prose().split())


def test_developments_from_several_articles_follow_the_story_in_time(embedder, tmp_path) -> None:
    from assistant.brief.model import BriefArticle
    from assistant.brief.writer import brief_articles
    from assistant.core.passage import ArticleRef, Passage

    days = {"d3": "2025-03-03", "d1": "2025-03-01", "d2": "2025-03-02"}
    texts = {
        "d3": "Rescuers found the last two missing climbers alive near the summit. Both were flown to hospital in "
              "Geneva. The mountain guides' association said the rescue was the longest in a decade.",
        "d1": "Two climbers went missing on Mont Blanc after a sudden storm hit the mountain. Their families raised "
              "the alarm when they failed to return to their hut. Strong winds kept helicopters on the ground.",
        "d2": "Rescue teams resumed the search for the two climbers as the storm eased over Mont Blanc. Helicopters "
              "flew over the glacier where their tracks were last seen. Police said snow had covered the route.",
    }
    articles = []
    for aid, text in texts.items():
        ref = ArticleRef(aid, f"Climbers, {days[aid]}", "Example News", days[aid], f"https://example.com/{aid}")
        articles.append(BriefArticle(aid, ref.title, ref.source, ref.published_at, ref.url,
                                     [Passage(f"{aid}-0000", text, ref)]))
    settings = make_settings(tmp_path / "index", **{"llm.spec": "none"})
    brief = brief_articles(articles, settings, llm=None, embedder=embedder, progress=False)
    developments = brief.section("key_developments").bullets
    assert len(developments) >= 2
    shown = [min(p.article.published_at for p in b.passages) for b in developments]
    assert shown == sorted(shown)


def test_a_captioned_sentence_enters_the_prose_without_its_caption(embedder, tmp_path) -> None:
    from assistant.brief.model import BriefArticle
    from assistant.brief.pool import collect_sentences
    from assistant.brief.state import NoteState
    from assistant.core.passage import ArticleRef, Passage
    from assistant.grounding.verifier import Verifier
    from assistant.index.vectors import UnitVectors

    settings = make_settings(tmp_path / "index", **{"llm.spec": "none"})
    ref = ArticleRef("c1", "Court ruling", "Example News", "2025-02-28", "https://example.com/c1")
    text = ("File photo of the Supreme Court building in Washington The court ruled on Monday that the law was "
            "unconstitutional. Photo of the judges (AP) The judges were divided.")
    memo = UnitVectors.of(embedder)
    state = NoteState([BriefArticle("c1", ref.title, ref.source, ref.published_at, ref.url,
                                    [Passage("c1-0000", text, ref)])], "", settings, None, memo,
                      Verifier(memo, settings.answer.support_threshold))
    collect_sentences(state)
    assert [line.text for line in state.lines] == ["The court ruled on Monday that the law was unconstitutional."]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Wright, who had seven seasons at Arsenal and broke every record, will hand over the trophy on Saturday.",
     "Wright will hand over the trophy on Saturday."),
    ("'She has gotten so much criticism over the years,' Julia, who is 30, explained to reporters.",
     "'She has gotten so much criticism over the years,' Julia explained to reporters."),
    ("The pact follows the deals with Japan and South Korea, which the EU signed last year.",
     "The pact follows the deals with Japan and South Korea."),
    # restrictive (no comma), inside a quotation, or too little left: unchanged
    ("The minister who signed the pact flew to New Delhi on Friday.",
     "The minister who signed the pact flew to New Delhi on Friday."),
    ('He met the minister and said: "our partners, who are here today, agree with us".',
     'He met the minister and said: "our partners, who are here today, agree with us".'),
    ("The bill, which passed the Senate on Tuesday.", "The bill, which passed the Senate on Tuesday."),
])
def test_a_non_restrictive_relative_clause_is_an_aside_a_line_goes_without(sentence, expected) -> None:
    from assistant.text.asides import without_asides

    assert without_asides(sentence, 6) == expected


def test_the_bottom_line_keeps_its_word_cap_and_drops_asides_still_verified(embedder, tmp_path) -> None:
    text = ("Floods in southern Spain, which began after two days of heavy storms, have killed at least twelve "
            "people, the regional government said. Rescue teams are searching villages near Valencia for "
            "people still missing after the river burst its banks and swept away cars and bridges overnight. "
            "Roads and railway lines remain closed across the whole region and schools in the area will stay "
            "shut until the water falls, officials said on Thursday evening. Officials warned that more rain "
            "is forecast for the weekend.")
    kept = _brief(embedder, tmp_path, [text], **{"brief.bottom_line_words": 40})
    bottom = kept.section("bottom_line").bullets
    assert bottom[0].text.startswith("Floods in southern Spain have killed at least twelve people")
    assert all(b.supported and b.citations for b in bottom)
    # two sentences always (14 + 24 words here); a third only within the cap, which the 10-word forecast overruns
    assert [len(b.text.split()) for b in bottom] == [14, 24]
    asides = _brief(embedder, tmp_path, [text], **{"brief.drop_asides": False}).section("bottom_line").bullets
    assert "which began after two days of heavy storms" in asides[0].text
