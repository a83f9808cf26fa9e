"""A newsroom's questions on the sample article and the mini corpus, answered by the system alone (``llm=None``
so the answers are deterministic): the first sentence must state the expected answer, and nothing the
verifier did not support is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_settings

from assistant.answer.answerer import Answerer
from assistant.answer.result import Answer
from assistant.answer.tidy import clean
from assistant.answer.wants import parts, wanted
from assistant.retrieve.retriever import Retriever


@pytest.fixture(scope="module")
def answerer(built_index: Path) -> Answerer:
    settings = make_settings(built_index)
    return Answerer(settings, retriever=Retriever(settings), llm=None)


def first_sentence(answer: Answer) -> str:
    shown = [s for s in answer.sentences if s.supported]
    assert shown, answer.reason
    return shown[0].text


def assert_clean(answer: Answer) -> None:
    assert all(s.supported and s.citations for s in answer.sentences), answer.sentences
    for s in answer.sentences:
        assert not s.text.startswith(("And ", "But ", "NEW DELHI", "date ")), s.text
        assert s.text.count('"') % 2 == 0 and ":" not in s.text.split()[0], s.text


@pytest.mark.parametrize("question, expected", [
    # the demo article
    pytest.param("Which existing partnerships did the EU say the India security pact would be modelled on?",
                 "Japan and South Korea", id="which-partnerships"),
    pytest.param("What security partnership is the EU exploring with India?", "security and defence pact",
                 id="what-partnership"),
    pytest.param("Who is the European Commission president?", "Ursula von der Leyen", id="who-president"),
    pytest.param("Which prime minister did von der Leyen hold talks with?", "Narendra Modi", id="which-pm"),
    pytest.param("Which projects is India interested in joining?", "Permanent Structured Cooperation",
                 id="which-projects"),
    pytest.param("What threats will the partnership help counter?", "cross-border terrorism", id="what-threats"),
    pytest.param("What threats would the partnership counter?", "cross-border terrorism", id="what-threats-act"),
    pytest.param("Who held talks with Andrius Kubilius?", "Sanjay Seth", id="who-met"),
    pytest.param("What did Seth and Kubilius discuss?", "bilateral defence and security cooperation",
                 id="what-did-they-discuss"),
    # the mini corpus
    pytest.param("Who is Sam Bankman-Fried?", "exchange FTX", id="who-is"),
    pytest.param("How many counts was Bankman-Fried found guilty on?", "seven counts", id="how-many"),
    pytest.param("Which judge scolded Bankman-Fried?", "Lewis Kaplan", id="which-judge"),
    pytest.param("How much did Alameda owe FTX?", "$8 billion", id="how-much"),
    pytest.param("Who presided over the US v. Google case?", "Amit Mehta", id="who-presided"),
    pytest.param("Which prosecutor cross-examined Bankman-Fried?", "Danielle Sassoon", id="which-prosecutor"),
    pytest.param("Why is Apple in court?", "because of something called the Information Services Agreement",
                 id="why"),
    pytest.param("Who did Bankman-Fried direct to repay third-party loans?", "Caroline Ellison", id="who-directed"),
])
def test_the_first_sentence_states_the_answer(answerer: Answerer, question: str, expected: str) -> None:
    answer = answerer.ask(question)
    assert not answer.abstained, answer.reason
    assert expected in first_sentence(answer)
    assert len([s for s in answer.sentences if s.supported]) <= 3
    assert_clean(answer)


@pytest.mark.parametrize("question, first, second", [
    pytest.param("Who is Kubilius and why is he in India?", "EU Commissioner for Defence and Space",
                 "Von der Leyen's delegation", id="who-and-why"),
    pytest.param("What did the EU offer India on defence, and who said it?", "security and defence pact",
                 "Von der Leyen", id="what-and-who"),
])
def test_two_part_questions_are_answered_part_by_part(answerer: Answerer, question: str, first: str,
                                                     second: str) -> None:
    answer = answerer.ask(question)
    assert not answer.abstained, answer.reason
    shown = [s.text for s in answer.sentences if s.supported]
    assert first in shown[0] and any(second.lower() in s.lower() for s in shown[1:])
    assert_clean(answer)


def test_who_is_states_the_role_the_articles_give(answerer: Answerer) -> None:
    answer = answerer.ask("Who is Kubilius?")
    assert first_sentence(answer) == "Andrius Kubilius is the EU Commissioner for Defence and Space"
    assert_clean(answer)


def test_a_person_is_named_in_full_with_the_role_once() -> None:
    from assistant.answer.people import introduce, known_people
    from assistant.core.passage import ArticleRef, Passage

    text = ("The announcement was made by European Commission president Ursula von der Leyen in Delhi. "
            "Von der Leyen said India is working hard to diversify its military supply.")
    passage = Passage("c1", text, ArticleRef("a", "EU and India", "Outlet", "2025-02-28", ""))
    people = known_people([passage])
    named: set[str] = set()
    first, backing = introduce("Von der Leyen said India is diversifying its supply.", people, named)
    assert first == ("Ursula von der Leyen, the European Commission president, said India is diversifying its "
                     "supply.") and backing == [passage]
    again, _ = introduce("Von der Leyen said the pact helps.", people, named)
    assert again == "Von der Leyen said the pact helps."


def test_a_pronoun_speaker_is_named(answerer: Answerer) -> None:
    answer = answerer.ask("What did the EU offer India on defence, and who said it?")
    assert not any(s.text.endswith(("she said", "he said")) for s in answer.sentences)


@pytest.mark.parametrize("question, speaker", [
    ("What did Kubilius say?", "Kubilius"), ("What did the defence ministry say?", "the defence ministry"),
    ("What has the Indian government announced about the pact?", "the Indian government"),
    ("What did the EU offer India on defence?", None), ("What did he say?", None), ("Who said it?", None),
])
def test_a_question_about_what_someone_said_names_the_speaker(question: str, speaker: str | None) -> None:
    assert wanted(question).speaker == speaker


@pytest.mark.parametrize("question, expected", [
    ("What did the defence ministry say?", "the defence ministry said"),
    ("What did von der Leyen say about Japan?", "in the mould of the partnerships we have with Japan and South Korea"),
])
def test_what_someone_said_is_their_statement(answerer: Answerer, question: str, expected: str) -> None:
    answer = answerer.ask(question)
    assert expected in first_sentence(answer)
    assert_clean(answer)


def test_an_answer_sentence_opening_on_a_pronoun_names_its_referent(answerer: Answerer) -> None:
    # the article: "… Sanjay Seth held talks with … Andrius Kubilius. They comprehensively discussed …"
    first = first_sentence(answerer.ask("What did the defence ministry say?"))
    assert not first.startswith("They ") and "Andrius Kubilius comprehensively discussed" in first


def test_what_someone_said_is_a_statement_of_theirs_or_nothing(answerer: Answerer) -> None:
    # the article reports what Kubilius did and where he is, never something he said
    answer = answerer.ask("What did Kubilius say?")
    assert answer.abstained and answer.answer.startswith("The indexed articles do not say what Kubilius said.")


def test_a_pronoun_speaker_after_several_names_is_the_one_speaking_just_before() -> None:
    from assistant.answer.tidy import name_speaker
    from assistant.core.passage import ArticleRef, Passage

    text = ("The announcement was made by Ursula von der Leyen ahead of her talks with Narendra Modi. Security "
            "should be a core part of our partnership with India, Von der Leyen said. \"We are exploring a "
            "future partnership with India,\" she said.")
    passage = Passage("c1", text, ArticleRef("a1", "EU and India", "Example News", "2025-02-28", ""))
    quote = "\"We are exploring a future partnership with India,\" she said."
    assert name_speaker(passage, quote) == "\"We are exploring a future partnership with India,\" Von der Leyen said."


@pytest.mark.parametrize("question", [
    pytest.param("What percentage of a watermelon is water?", id="percentage-missing"),
    pytest.param("When was the Information Services Agreement signed by Microsoft?", id="date-missing"),
    pytest.param("How many goals did Lionel Messi score?", id="unknown-person"),
    pytest.param("Which country won the Eurovision song contest?", id="unknown-event"),
])
def test_a_missing_answer_abstains(answerer: Answerer, question: str) -> None:
    answer = answerer.ask(question)
    assert answer.abstained
    assert answer.answer.startswith("The indexed articles do not say")
    assert all(s.supported for s in answer.sentences if f"{s.text}" in answer.answer)


def test_a_missing_typed_answer_says_what_the_articles_do_say(answerer: Answerer) -> None:
    answer = answerer.ask("What percentage of a watermelon is water?")
    assert answer.abstained and answer.answer.startswith("The indexed articles do not say what percentage")


@pytest.mark.parametrize("question, act", [
    ("What threats would the partnership counter?", ("counter", None)),
    ("Which areas could the EU and India join forces on?", ("join", "force")),
    ("What did the EU offer India?", ("offer", None)),
    ("What did Seth and Kubilius discuss?", ("discuss", None)),  # spaCy tags this "discuss" a noun
    ("Who is the European Commission president?", None),
])
def test_the_act_a_question_asks_about(question: str, act: tuple[str, str | None] | None) -> None:
    assert wanted(question).act == act


@pytest.mark.parametrize("question, kind", [
    ("Who is Kubilius?", "person"), ("Which country staged a military parade?", "place"),
    ("Which company is being sued by the FTC?", "organisation"), ("When did the talks start?", "date"),
    ("How many people died in the flood?", "number"), ("How much did the company pay?", "amount"),
    ("What percentage of voters backed the plan?", "percentage"), ("Why is Apple in court?", "reason"),
    ("Did the EU offer India a pact?", "yesno"), ("Which drug cartel was the boat carrying?", "thing"),
])
def test_the_wanted_answer_type(question: str, kind: str) -> None:
    assert wanted(question).type == kind


@pytest.mark.parametrize("question, noun, kind", [
    ("What is the average price of a new car in the US?", "price", "amount"),  # the noun after an adjective
    ("What is the list price of the new phone?", "price", "amount"),  # the head, not its compound
    ("In which fast food restaurant was he arrested?", "restaurant", "thing"),
    ("What is the name of November's supermoon?", "supermoon", "thing"),  # through "the name of"
    ("Which of the following people will receive the medal?", "people", "person"),  # a partitive's noun
    ("Trump promised rebate checks in which of the following amounts?", "amount", "amount"),
    ("Which of these companies reported earnings first?", "company", "organisation"),
    ("Which of the following did the Federal Reserve announce?", None, "thing"),  # "the following" is no type
])
def test_the_questions_noun_is_the_head_of_its_phrase(question: str, noun: str, kind: str) -> None:
    want = wanted(question)
    assert (want.noun, want.type) == (noun, kind)


def test_parts_carry_the_person_into_later_parts() -> None:
    assert parts("Who is Kubilius and why is he in India?") == ["Who is Kubilius?", "why is Kubilius in India?"]
    assert parts("Which country won?") == ["Which country won?"]


@pytest.mark.parametrize("raw, tidy", [
    ("date 2025-02-28 NEW DELHI: The European Union is exploring a pact with India.",
     "The European Union is exploring a pact with India."),
    ("WASHINGTON (Reuters) - The Fed held rates steady on Wednesday.", "The Fed held rates steady on Wednesday."),
    ("WASHINGTON − Pete Hegseth ordered the meeting.", "Pete Hegseth ordered the meeting."),  # U+2212
    ('"But it is also a key part in strengthening our economic security', "It is also a key part in strengthening "
     "our economic security"),
    ("And this is why security should be a core part.", "This is why security should be a core part."),
    ("In a related development, Sanjay Seth held talks with Andrius Kubilius.",
     "Sanjay Seth held talks with Andrius Kubilius."),
    ("Meanwhile, the Fed held rates.", "The Fed held rates."),
    ("In London, the Fed held rates.", "In London, the Fed held rates."),
])
def test_clean_sentences(raw: str, tidy: str) -> None:
    assert clean(raw) == tidy


def test_the_evidence_a_verdict_quotes_is_cleaned() -> None:
    """Yes/no, date and outlet answers quote their evidence as the typed answers state theirs."""
    from assistant.answer.compose import quotes
    from assistant.answer.evidence import Evidence
    from assistant.answer.sources import Sources
    from assistant.core.passage import ArticleRef, Passage

    ref = ArticleRef(id="a1", title="Pact talks", source="Outlet", published_at="2025-02-28", url="https://example.org/1")
    said = 'NEW DELHI: And “the pact is ready for signing, the minister told reporters on Friday.'
    passage = Passage(chunk_id="c1", text=said, article=ref)
    quoted = quotes([Evidence(passage, said, 0.8)], Sources())
    assert [q.text for q in quoted] == ["The pact is ready for signing, the minister told reporters on Friday"]


def test_as_of_reads_nothing_published_later(built_index: Path) -> None:
    settings = make_settings(built_index, **{"retrieval.as_of": "2025-02-27"})
    answer = Answerer(settings, llm=None).ask("Who held talks with Andrius Kubilius?")
    assert answer.abstained
    assert all(p.article.published_at[:10] <= "2025-02-27" for p in answer.sources)


def _passage(text: str, published: str) -> "Passage":
    from assistant.core.passage import ArticleRef, Passage

    return Passage("c", text, ArticleRef("a", "Quake news", "Outlet", published, ""))


def test_a_passage_must_hold_the_questions_numbers_and_time() -> None:
    from assistant.answer.constraints import DAY, Constraints
    from assistant.text.dates import to_timestamp

    quake = Constraints(((6.0, 0.05),), (), 0)
    assert quake.holds(_passage("A 6.0-magnitude earthquake struck the province.", "2025-09-01"))
    assert not quake.holds(_passage("A 7.8 magnitude earthquake struck Turkey.", "2025-09-01"))
    assert not quake.holds(_passage("A 7.8 magnitude earthquake struck Turkey on Feb. 6.", "2025-09-01"))
    assert not quake.holds(_passage("A 6.4 magnitude earthquake struck the coast.", "2025-09-01"))
    week = (to_timestamp("2025-10-08"), to_timestamp("2025-10-15") + DAY - 1)
    this_week = Constraints((), (week,), 2 * DAY)
    assert this_week.holds(_passage("Troops airlifted families.", "2025-10-14"))
    assert this_week.holds(_passage("Troops airlifted families.", "2025-10-06"))  # within the slack
    assert not this_week.holds(_passage("Troops airlifted families.", "2024-09-30"))
    assert this_week.holds(_passage("Troops airlifted families on October 10, 2025.", "2025-11-20"))


def test_a_questions_number_holds_to_the_precision_it_is_written(answerer: Answerer) -> None:
    from assistant.answer import constraints
    from assistant.answer.plan import plan
    from assistant.answer.state import Question
    from assistant.retrieve.filters import Filters

    question = "Which states sold tickets for the nearly $1.8 billion jackpot?"
    fits = constraints.of(answerer, Question(plan(answerer.retriever.plan(question)), Filters()), question)
    assert fits.holds(_passage("Tickets for the $1.787 billion prize were sold in two states.", "2025-09-07"))
    assert not fits.holds(_passage("Tickets for the $1.6 billion prize were sold in two states.", "2025-09-07"))


def test_recently_reads_the_last_month_first_but_shuts_out_nothing(answerer: Answerer) -> None:
    from datetime import date

    from assistant.answer import constraints
    from assistant.answer.plan import plan
    from assistant.answer.state import Question
    from assistant.retrieve.filters import Filters

    def fits(question: str) -> constraints.Constraints:
        return constraints.of(answerer, Question(plan(answerer.retriever.plan(question)), Filters()), question)

    saved, answerer.retriever.as_of = answerer.retriever.as_of, date(2025, 9, 11)
    try:
        recently, plain = fits("Which player recently won the title?"), fits("Which player won the title?")
    finally:
        answerer.retriever.as_of = saved
    old, new = _passage("Williams won the title.", "2022-08-31"), _passage("Alcaraz won the title.", "2025-09-07")
    assert recently.fresh(new) and not recently.fresh(old)
    assert recently.holds(old) and not recently.windows  # a soft window: the old report stays usable
    assert plain.fresh(old) and plain.recent is None


def test_a_question_about_another_time_abstains(answerer: Answerer) -> None:
    answer = answerer.ask("Who presided over the US v. Google case in May 2015?")
    assert answer.abstained and answer.answer.startswith("The indexed articles do not say")


@pytest.mark.parametrize("sentence, resolved", [
    pytest.param("It is the most endangered of the world's 128 marine mammal species.",
                 "The vaquita porpoise is the most endangered of the world's 128 marine mammal species.", id="it"),
    pytest.param("It is unclear whether the numbers will recover.",
                 "It is unclear whether the numbers will recover.", id="it-of-a-clause"),
    pytest.param("It was too late.", "It was too late.", id="it-of-a-state"),
    pytest.param("He said the company would grow.", "Sam Altman said the company would grow.", id="he"),
])
def test_an_opening_pronoun_becomes_the_subject_before_it(sentence: str, resolved: str) -> None:
    from assistant.answer.tidy import resolve_subject

    text = ("The vaquita porpoise lives only in the Gulf of California. It is the most endangered of the world's "
            "128 marine mammal species. Officials said the ban worked. It is unclear whether the numbers will "
            "recover. Sam Altman spoke on Monday. He said the company would grow. The ministry said talks went "
            "well. It was too late.")
    assert resolve_subject(_passage(text, "2025-09-01"), sentence) == resolved


def test_a_question_whose_question_word_comes_late_is_quoted_in_the_abstention() -> None:
    from assistant.answer.typed import not_said_lead

    assert not_said_lead("Which country won the vote?") == "The indexed articles do not say which country won the vote."
    assert not_said_lead("The letter called for which of the following?") == \
        "The indexed articles do not answer “The letter called for which of the following?”"


@pytest.mark.parametrize("question, embedded", [
    ("When was the pact signed?", "when the pact was signed"),  # the auxiliary after its subject
    ("What trade deal are the EU and India negotiating?", "what trade deal the EU and India are negotiating"),
    ("Where did the blaze occur?", "where the blaze occurred"),  # "do" goes, its tense to the verb
    ("How much does the company pay?", "how much the company pays"),
    ("Who is Andrius Kubilius?", "who Andrius Kubilius is"),
    ("What is the average price of a new car?", "what the average price of a new car is"),
    ("What is the name of the rocket tasked with the landing?", "what the name of the rocket tasked with the landing is"),
    ("Which company is being sued by the FTC?", "which company is being sued by the FTC"),  # not inverted
    ("How many people died in the flood?", "how many people died in the flood"),
    ("A UPS cargo plane crashed this week. Where did the crash occur?", "where the crash occurred"),  # set up first
])
def test_an_abstention_embeds_the_question_in_its_own_word_order(question: str, embedded: str) -> None:
    from assistant.answer.typed import not_said_lead

    assert not_said_lead(question) == f"The indexed articles do not say {embedded}."


def test_an_inverted_question_whose_subject_the_parse_misses_is_quoted() -> None:
    from assistant.answer.typed import not_said_lead
    from assistant.text.indirect import indirect

    assert indirect("When did von der Leyen arrive in India?") is None  # the tagger reads "arrive" as a noun
    assert not_said_lead("When did von der Leyen arrive in India?") == \
        "The indexed articles do not answer “When did von der Leyen arrive in India?”"


@pytest.mark.parametrize("question, receiver", [
    pytest.param("Who was awarded the medal?", "Simone Biles", id="passive-asks-the-receiver"),
    pytest.param("Who awarded the medal?", "Joe Biden", id="active-asks-the-giver"),
])
def test_the_question_words_part_in_the_verb_picks_the_candidate(question: str, receiver: str) -> None:
    from assistant.answer.evidence import Evidence
    from assistant.answer.extract import candidates

    passage = _passage("President Joe Biden awarded the medal to Simone Biles on Saturday.", "2025-01-05")
    found = candidates(wanted(question), question, [Evidence(passage, passage.text, 0.8)], [passage], None)
    assert found[0].text == receiver


def test_a_count_of_days_is_answered_by_a_date_entity_that_counts_them() -> None:
    from assistant.answer.evidence import Evidence
    from assistant.answer.extract import candidates

    question = "How many days was the department given to release the files?"
    passage = _passage("On Tuesday, the department was given 30 days to release the files.", "2025-11-20")
    found = candidates(wanted(question), question, [Evidence(passage, passage.text, 0.8)], [passage], None)
    assert [f.text for f in found] == ["30 days"]


def test_the_names_a_question_needs_are_spacys_names_in_its_capitalised_words() -> None:
    from assistant.answer.plan import question_names

    assert question_names("Actress Amanda Seyfried praised whose outfit?", []) == ["Amanda Seyfried"]
    assert question_names("Which company's cloud service went down on Monday?", []) == []


def test_an_agreed_name_must_be_the_kind_of_thing_asked_for() -> None:
    from assistant.answer.candidates import Candidate, of_type
    from assistant.core.passage import ArticleRef, Passage

    text = ("Trump said he had authorized the CIA to carry out covert action inside Venezuela. "
            "The union said in a statement on X that raids continued.")
    passages = [Passage("c1", text, ArticleRef("a", "CIA cleared for covert action", "Outlet", "2025-10-16", ""))]
    place = wanted("Inside which country did Trump authorize covert action?").labels

    named = [Candidate(name, (name.lower(),), surfaces={name: 1}) for name in ("X", "Venezuela", "CIA")]
    assert [c.name for c in of_type(named, place, passages)] == ["Venezuela"]


def test_an_agreed_name_is_named_by_every_outlet_the_question_cites() -> None:
    from assistant.answer.candidates import Candidate, in_every_outlet
    from assistant.core.passage import ArticleRef, Passage

    def article(n: int, source: str, title: str) -> Passage:
        return Passage(f"c{n}", title, ArticleRef(f"a{n}", title, source, "2023-10-01", ""))

    passages = [article(1, "Paper", "ASX set to rise as Fed holds"), article(2, "Paper", "ASX set to slip"),
                article(3, "Paper", "ASX set to open higher"), article(4, "Fortune", "The Fed's hikes bite")]
    series = Candidate("ASX", ("asx",), articles={"a1", "a2", "a3"}, surfaces={"ASX": 3})
    fed = Candidate("Fed", ("fed",), articles={"a1", "a4"}, surfaces={"Fed": 2})
    both = [("Paper",), ("Fortune",)]
    assert [c.name for c in in_every_outlet([series, fed], both, passages)] == ["Fed"]
    assert [c.name for c in in_every_outlet([series], both, passages)] == ["ASX"]  # none covers both: all stay


def test_an_answer_sentences_trailing_it_said_names_the_organisation() -> None:
    from assistant.answer.tidy import name_organisation

    text = ("Sanjay Seth and Andrius Kubilius comprehensively discussed defence cooperation, the defence ministry "
            "said. It said Seth and Kubilius explored ways to enhance defence industrial cooperation. They "
            "considered the modalities of Indian participation in joint projects, it said in a statement.")
    passage = _passage(text, "2025-02-28")
    sentence = "They considered the modalities of Indian participation in joint projects, it said in a statement."
    assert name_organisation(passage, sentence).endswith(", the defence ministry said in a statement.")
    assert name_organisation(passage, "Seth and Kubilius met, it said.") == "Seth and Kubilius met, it said."


LOTTERY = """Powerball jackpot split between two winning tickets

date 2026-09-08 Two tickets sold in Missouri and Texas matched all six numbers to win the nearly $1.8 billion Powerball jackpot on Saturday night, lottery officials said.

The last time the jackpot was hit was back in May, when a single ticket sold in California won it.

California also sold the ticket that won the record $2.04 billion Powerball jackpot in 2022.

Officials in California said sales of Powerball tickets had risen sharply before the draw.
"""
LOTTERY_BEFORE = """California store sold the winning Powerball ticket

date 2026-05-20 The winning ticket for the Powerball jackpot was sold at a store in California, state lottery officials said.

The store in California will receive a bonus for selling the winning ticket.
"""


def test_a_question_asking_for_two_names_gets_both(tmp_path: Path) -> None:
    """"Which two states …?" is answered by the pair the evidence coordinates, not by the one state the
    articles name most."""
    from assistant.ingest.pipeline import ingest

    articles = [tmp_path / "lottery.txt", tmp_path / "lottery-may.txt"]
    for path, text in zip(articles, (LOTTERY, LOTTERY_BEFORE)):
        path.write_text(text, encoding="utf-8")
    settings = make_settings(tmp_path / "index")
    ingest(articles, settings, progress=False)
    answer = Answerer(settings, retriever=Retriever(settings), llm=None).ask(
        "Which two states sold the winning tickets for the Powerball jackpot?")
    assert not answer.abstained, answer.reason
    assert "Missouri and Texas" in first_sentence(answer)
    assert_clean(answer)


def test_the_question_says_how_many_it_wants() -> None:
    assert wanted("Which two states sold the winning tickets?").count == 2
    assert wanted("Which two countries signed the pact?").noun == "country"
    assert wanted("Which 3 countries signed the pact?").count == 3
    assert wanted("Which state sold the winning ticket?").count is None


def test_the_question_says_who_does_the_act() -> None:
    """The names in the subject of the asked verb do the act; a capitalised opening noun is no name."""
    assert wanted("What did Seth and Kubilius discuss?").doers == ["Seth", "Kubilius"]
    assert wanted("What did the European Union offer India?").doers == ["the European Union"]
    assert wanted("Wildfires devastated which section of the US in January?").doers == []
    assert wanted("Who held talks with Andrius Kubilius?").doers == []
