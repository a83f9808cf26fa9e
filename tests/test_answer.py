"""The answering pipeline with real retrieval, embedder and verifier; a scripted model where the test needs
to know exactly what the model says, and the real SmolLM2 for one end-to-end answer."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import make_settings

from assistant.answer.answerer import Answerer
from assistant.answer.compose import with_markers
from assistant.answer.plan import Plan, plan
from assistant.answer.result import ABSTAIN_TEXT, Answer
from assistant.llm import ChatModel
from assistant.llm.prompting import FENCE_CLOSE, FENCE_OPEN
from assistant.retrieve.analysis import analyse
from assistant.retrieve.retriever import Retriever

Reply = str | Callable[[list[dict[str, str]]], str]


class ScriptedModel(ChatModel):
    """A fake chat model: replies come from a queue (text, or a function of the messages); it records what
    it was sent (STYLE.md "fakes with a queue")."""

    name = "fake:scripted"

    def __init__(self, context_window: int = 2048) -> None:
        self.context_window = context_window
        self.replies: list[Reply] = []
        self.sent: list[list[dict[str, str]]] = []
        self.params: list[dict] = []

    def enqueue(self, *replies: Reply) -> "ScriptedModel":
        self.replies.extend(replies)
        return self

    def stream(self, messages, *, max_tokens, temperature, stop=None) -> Iterator[str]:
        self.sent.append(messages)
        self.params.append({"max_tokens": max_tokens, "temperature": temperature, "stop": stop})
        reply = self.replies.pop(0)
        text = reply(messages) if callable(reply) else reply
        for piece in re.findall(r"\S+\s*|\s+", text):
            yield piece

    def count_tokens(self, text: str) -> int:
        return len(text.split()) * 2


def fenced(messages: list[dict[str, str]]) -> list[str]:
    """The passage texts between the fences of a rendered prompt."""
    user = messages[-1]["content"]
    return re.findall(re.escape(FENCE_OPEN) + r"(.*?)" + re.escape(FENCE_CLOSE), user, re.S)


def first_sentence_of(n: int) -> Callable[[list[dict[str, str]]], str]:
    """A reply that repeats the first sentence of passage [n] and cites it."""
    def reply(messages):
        text = fenced(messages)[n - 1]
        sentence = re.split(r"(?<=[.!?])\s+", text.strip())[0].rstrip(".")
        return f"{sentence} [{n}]."
    return reply


@pytest.fixture(scope="module")
def retriever(built_index: Path) -> Retriever:
    return Retriever(make_settings(built_index))


def make(retriever: Retriever, llm: ChatModel | None, **overrides) -> Answerer:
    settings = make_settings(retriever.settings.index, **overrides)
    return Answerer(settings, retriever=retriever, llm=llm)


OPEN_Q = "What is the European Union exploring with India on security and defence?"


# ---- generative path with the scripted model ------------------------------------------------------

def test_supported_sentence_is_kept_with_its_citation(retriever: Retriever) -> None:
    model = ScriptedModel().enqueue(first_sentence_of(1))
    answer = make(retriever, model).ask(OPEN_Q)
    assert not answer.abstained, answer.reason
    assert answer.route == "model" and answer.drafted and answer.model_kept
    assert answer.sentences and all(s.supported for s in answer.sentences)
    assert answer.sentences[0].citations == [1]
    assert answer.answer.endswith("[1].")
    assert answer.llm == "fake:scripted"
    # The prompt: passages numbered [1]..[n], each fenced as untrusted data, and within the budget.
    user = model.sent[0][-1]["content"]
    blocks = fenced(model.sent[0])
    assert 1 <= len(blocks) <= 4
    assert [int(n) for n in re.findall(r"^\[(\d+)\] ", user, re.M)] == list(range(1, len(blocks) + 1))
    assert model.params[0]["max_tokens"] <= 120


def test_invented_number_is_dropped(retriever: Retriever) -> None:
    def reply(messages):
        return first_sentence_of(1)(messages) + " The pact is worth 480 billion euros and was signed in 1987 [1]."
    answer = make(retriever, ScriptedModel().enqueue(reply)).ask(OPEN_Q)
    assert not answer.abstained
    kept = [s for s in answer.sentences if s.supported]
    dropped = [s for s in answer.sentences if not s.supported]
    assert len(kept) == 1 and len(dropped) == 1
    assert "480" not in answer.answer and "1987" not in answer.answer
    assert any("480" in r or "1987" in r for r in dropped[0].reasons)


def test_citation_outside_the_prompt_is_invalid(retriever: Retriever) -> None:
    def reply(messages):
        n = len(fenced(messages))
        return first_sentence_of(1)(messages).replace("[1]", f"[{n + 5}]")
    answer = make(retriever, ScriptedModel().enqueue(reply)).ask(OPEN_Q)
    # The model's sentence is rejected (and kept visible as such); the answer falls back to
    # verified passage sentences with valid citations.
    assert answer.sentences and not answer.sentences[0].supported
    assert answer.sentences[0].citations == []
    assert any("not among" in r for r in answer.sentences[0].reasons)
    assert answer.route == "model-rejected, extractive" and not answer.abstained
    assert answer.drafted and not answer.model_kept  # counted by the evals' model_kept share
    shown = [s for s in answer.sentences[1:] if s.supported]
    assert shown and all(1 <= n <= len(answer.sources) for s in shown for n in s.citations)


def test_uncited_and_invented_answer_never_reaches_the_user(retriever: Retriever) -> None:
    model = ScriptedModel().enqueue("The pact was signed by Angela Merkel in Berlin. It costs 7 trillion dollars [2].")
    answer = make(retriever, model).ask(OPEN_Q)
    model_sentences = [s for s in answer.sentences if "Merkel" in s.text or "trillion" in s.text]
    assert len(model_sentences) == 2 and not any(s.supported for s in model_sentences)
    assert "Merkel" not in answer.answer and "trillion" not in answer.answer
    assert answer.abstained or answer.route == "model-rejected, extractive"


def test_show_unsupported_keeps_marked_sentences(retriever: Retriever) -> None:
    def reply(messages):
        return first_sentence_of(1)(messages) + " Angela Merkel signed it in Berlin [1]."
    answer = make(retriever, ScriptedModel().enqueue(reply), **{"answer.show_unsupported": True}).ask(OPEN_Q)
    assert "Angela Merkel signed it in Berlin [1]. (unsupported)" in answer.answer


def test_on_token_streams_only_verified_sentences(retriever: Retriever) -> None:
    def reply(messages):
        return first_sentence_of(1)(messages) + " Angela Merkel signed it in Berlin [1]. " + \
            first_sentence_of(1)(messages)
    pieces: list[str] = []
    answer = make(retriever, ScriptedModel().enqueue(reply)).ask(OPEN_Q, on_token=pieces.append)
    streamed = "".join(pieces)
    assert "Merkel" not in streamed
    assert streamed.strip().startswith(answer.sentences[0].text.rstrip(".")[:30])


def test_cancel_stops_the_model(retriever: Retriever) -> None:
    cancel = threading.Event()
    cancel.set()
    answer = make(retriever, ScriptedModel().enqueue(first_sentence_of(1))).ask(OPEN_Q, cancel=cancel)
    assert answer.cancelled and answer.abstained


def test_prompt_fits_a_small_context_window(retriever: Retriever) -> None:
    model = ScriptedModel(context_window=420).enqueue(first_sentence_of(1))
    answerer = make(retriever, model)
    answerer.ask(OPEN_Q)
    total = sum(model.count_tokens(m["content"]) for m in model.sent[0])
    assert total + model.params[0]["max_tokens"] <= 420


@pytest.mark.parametrize("overrides, tokens", [
    pytest.param({"llm.max_tokens": 300}, 120, id="capped-by-default"),
    pytest.param({"llm.max_tokens": 300, "answer.max_tokens_cap": 200}, 200, id="cap-raised"),
    pytest.param({"llm.max_tokens": 4}, 16, id="floored-by-default"),
    pytest.param({"llm.max_tokens": 4, "answer.max_tokens_floor": 2}, 4, id="floor-lowered"),
])
def test_answer_tokens_stay_within_the_answer_bounds(retriever: Retriever, overrides: dict, tokens: int) -> None:
    model = ScriptedModel().enqueue(first_sentence_of(1))
    make(retriever, model, **overrides).ask(OPEN_Q)
    assert model.params[0]["max_tokens"] == tokens


@pytest.mark.parametrize("overrides, shown", [
    pytest.param({}, 4, id="max-passages-6-capped-at-4"),
    pytest.param({"answer.max_passages_cap": 2}, 2, id="cap-lowered"),
    pytest.param({"answer.max_passages_cap": 6, "answer.prompt_budget_tokens": 5000}, 6, id="cap-raised"),
])
def test_prompt_passages_stay_within_the_cap(retriever: Retriever, overrides: dict, shown: int) -> None:
    model = ScriptedModel(context_window=8192).enqueue(first_sentence_of(1))
    make(retriever, model, **overrides).ask(OPEN_Q)
    assert len(fenced(model.sent[0])) == shown


# ---- the system judges: no model needed ------------------------------------------------------------

@pytest.fixture(scope="module")
def extractive(retriever: Retriever) -> Answerer:
    return make(retriever, None)


def test_extractive_open_answer_quotes_cited_sentences(extractive: Answerer) -> None:
    answer = extractive.ask(OPEN_Q)
    assert not answer.abstained, answer.reason
    assert answer.llm == "none" and answer.prompt_version.startswith("extractive")
    for s in answer.sentences:
        assert s.supported and s.citations
        body = " ".join(answer.sources[s.citations[0] - 1].text.split())
        assert s.text.rstrip(".") in f"{answer.sources[s.citations[0] - 1].article.title} {body}"


def test_entity_question_finds_the_person_several_articles_name(extractive: Answerer) -> None:
    answer = extractive.ask("Who, according to The Verge and Fortune, founded FTX and is on trial for fraud?")
    assert not answer.abstained, answer.reason
    assert answer.answer.startswith("Sam Bankman-Fried")
    assert len({answer.sources[n - 1].article.id for s in answer.sentences for n in s.citations}) >= 2


@pytest.mark.parametrize("question, verdict", [
    pytest.param("Did The Verge report that the jury heard Sam Bankman-Fried testify after Fortune reported on the "
                 "lawyers' opening statements in his trial?", "Yes", id="after-holds"),
    pytest.param("Did The Verge report that the jury heard Sam Bankman-Fried testify before Fortune reported on the "
                 "lawyers' opening statements in his trial?", "No", id="before-fails"),
])
def test_before_after_questions_use_publication_dates(extractive: Answerer, question: str, verdict: str) -> None:
    answer = extractive.ask(question)
    assert answer.route == "dates", answer.reason
    assert answer.answer.startswith(verdict)
    assert "2023-10-04" in answer.answer and "2023-10-2" in answer.answer
    assert all(s.supported and s.citations for s in answer.sentences)


def test_yes_no_claims_are_checked_per_outlet(extractive: Answerer) -> None:
    answer = extractive.ask("Does The Verge article say Apple defended its Google Search deal in court, while the "
                            "Fortune article says lawyers gave opening statements in the Sam Bankman-Fried trial?")
    assert answer.route == "claims"
    assert answer.answer.startswith("Yes")
    outlets = {answer.sources[n - 1].article.source for s in answer.sentences for n in s.citations}
    assert outlets == {"The Verge", "Fortune"}


@pytest.mark.parametrize("question", [
    pytest.param("What did a Bloomberg article report about the Apple and Google search deal?", id="unknown-outlet"),
    pytest.param("What did Elon Musk say about Tesla's quarterly deliveries?", id="unknown-person"),
    pytest.param("Considering an article from Reuters and a report by Al Jazeera, which minister announced the "
                 "new harbour tunnel?", id="null-query-shape"),
])
def test_questions_the_articles_cannot_answer_abstain(extractive: Answerer, question: str) -> None:
    answer = extractive.ask(question)
    assert answer.abstained and answer.answer == ABSTAIN_TEXT
    assert answer.sentences == [] or not any(s.supported for s in answer.sentences)


def test_to_json_is_exactly_the_design_contract(extractive: Answerer) -> None:
    data = extractive.ask(OPEN_Q).to_json()
    assert list(data) == ["question", "answer", "abstained", "sentences", "sources", "llm", "prompt_version"]
    assert all(list(s) == ["text", "citations", "supported"] for s in data["sentences"])
    assert [s["n"] for s in data["sources"]] == list(range(1, len(data["sources"]) + 1))
    assert all(list(s) == ["n", "chunk_id", "title", "source", "published_at", "url", "text", "also_reported_by"]
               for s in data["sources"])


YES_NO_Q = ("Does The Verge article say Apple defended its Google Search deal in court, while the Fortune article "
            "says lawyers gave opening statements in the Sam Bankman-Fried trial?")


@pytest.mark.parametrize("question, asked", [
    pytest.param(YES_NO_Q, [3, 3, 5], id="claims-then-the-names-check"),
    pytest.param("Who, according to The Verge and Fortune, founded FTX and is on trial for fraud?", [2], id="entity"),
    pytest.param(OPEN_Q, [7], id="open"),
])
def test_passages_retrieved_per_step_are_the_answer_settings(retriever: Retriever, monkeypatch, question: str,
                                                              asked: list[int]) -> None:
    ks: list[int] = []
    search_batch = retriever.search_batch

    def recording(queries, k=None, filters=None, *args, **kwargs):
        ks.append(k)
        return search_batch(queries, k, filters, *args, **kwargs)

    monkeypatch.setattr(retriever, "search_batch", recording)
    make(retriever, None, **{"answer.claim_passages": 3, "answer.names_passages": 5, "answer.entity_passages": 2,
                             "answer.open_passages": 7}).ask(question)
    assert ks == asked


def test_open_passages_bound_the_extractive_sources(retriever: Retriever) -> None:
    answer = make(retriever, None, **{"answer.open_passages": 1}).ask(OPEN_Q)
    assert not answer.abstained, answer.reason
    assert len(answer.sources) == 1


def test_user_filters_restrict_the_evidence(extractive: Answerer) -> None:
    filters = extractive.retriever.filters(sources=["Fortune"])
    answer = extractive.ask("What did lawyers say in their opening statements about Sam Bankman-Fried?", filters)
    assert not answer.abstained, answer.reason
    assert {p.article.source for p in answer.sources} == {"Fortune"}


# ---- pure parts ----------------------------------------------------------------------------------

KNOWN = ["The Verge", "Fortune", "TechCrunch", "FOX News - Health", "Cnbc | World Business News Leader",
         "The Independent - Life and Style", "The Age"]


def answer_plan(question: str) -> Plan:
    """The answering plan read off the one search analysis, as the answerer makes it."""
    return plan(analyse(" ".join(question.split()), KNOWN, None))


@pytest.mark.parametrize("question, kind, outlets, order", [
    pytest.param("Did TechCrunch report on the trial before The Verge covered the verdict?", "yesno",
                 ["TechCrunch", "The Verge"], "before", id="before"),
    pytest.param("After Fortune reported the hike, did The Age report a cut?", "yesno", ["Fortune", "The Age"],
                 None, id="scene-setting-after-is-not-an-order-question"),
    pytest.param("Does the 'FOX News - Health' article suggest X, while 'The Independent - Life and Style' says Y?",
                 "yesno", ["FOX News - Health", "The Independent - Life and Style"], None, id="quoted-long-names"),
    pytest.param("Did the Cnbc report on Nike and the Fortune article both report a decrease?", "yesno",
                 ["Cnbc | World Business News Leader", "Fortune"], None, id="short-form-of-outlet"),
    pytest.param("Was the coverage consistent or inconsistent between TechCrunch and The Verge?", "choice",
                 ["TechCrunch", "The Verge"], None, id="choice"),
    pytest.param("Who is the founder of FTX according to Fortune?", "entity", ["Fortune"], None, id="who"),
    pytest.param("What did The Verge say about Apple?", "open", ["The Verge"], None, id="what-did"),
    pytest.param("Which news source reported on the wedding, The Age or Fortune?", "outlet_choice",
                 ["The Age", "Fortune"], None, id="which-outlet"),
])
def test_plan(question: str, kind: str, outlets: list[str], order: str | None) -> None:
    p = answer_plan(question)
    assert p.kind == kind
    assert [m.sources[0] for m in p.outlets] == outlets
    assert p.order == order


def test_lower_case_words_are_not_outlets() -> None:
    assert answer_plan("Did the age of the fortune teller end?").outlets == []


def test_unknown_outlets_are_noticed() -> None:
    p = answer_plan("Considering a Bloomberg article and a report by Reuters, which company grew?")
    assert sorted(p.unknown_outlets) == ["Bloomberg", "Reuters"]
    assert answer_plan("Did TechCrunch report on it on October 5, 2023?").unknown_outlets == []


@pytest.mark.parametrize("text, cites, out", [
    pytest.param("Yes.", [1, 2], "Yes [1][2].", id="period"),
    pytest.param("Is it?", [3], "Is it [3]?", id="question-mark"),
    pytest.param("No end", [1], "No end [1].", id="no-period"),
])
def test_with_markers(text: str, cites: list[int], out: str) -> None:
    assert with_markers(text, cites) == out


# ---- the real local model --------------------------------------------------------------------------

@pytest.mark.slow
def test_real_smollm2_answer_is_verified_or_abstains(retriever: Retriever) -> None:
    from assistant.llm import make_llm

    settings = make_settings(retriever.settings.index, **{"llm.max_tokens": 48, "llm.threads": 2})
    answerer = Answerer(settings, retriever=retriever, llm=make_llm(settings))
    answer: Answer = answerer.ask(OPEN_Q)
    assert answer.llm == "local:SmolLM2-135M-Instruct.Q4_1"
    assert answer.abstained or all(s.citations for s in answer.sentences if s.supported)
    shown = answer.answer
    for s in answer.sentences:
        if not s.supported:
            assert s.text not in shown
    assert 1 <= len(answer.sources) <= 4


def test_the_model_is_given_the_extracted_candidates_to_check(retriever: Retriever) -> None:
    model = ScriptedModel().enqueue(first_sentence_of(1))
    make(retriever, model).ask("Which prime minister did von der Leyen hold talks with?")
    assert "Possible answers the passages name" in model.sent[0][-1]["content"]
    assert "Narendra Modi" in model.sent[0][-1]["content"]


def test_a_bundled_model_does_not_write_answers_unless_asked(retriever: Retriever) -> None:
    bundled = ScriptedModel()
    bundled.bundled = True  # as the shipped SmolLM2-135M is: the system composes, the model is not called
    answer = make(retriever, bundled).ask(OPEN_Q)
    assert not answer.abstained and bundled.sent == [] and answer.route == "typed" and not answer.drafted
    forced = ScriptedModel().enqueue(first_sentence_of(1))
    forced.bundled = True
    answer = make(retriever, forced, **{"answer.model_writes": "always"}).ask(OPEN_Q)
    assert answer.route == "model" and len(forced.sent) == 1
