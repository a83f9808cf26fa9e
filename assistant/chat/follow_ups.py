"""Follow-up questions: telling them apart ("and what did India say?", "why?") and rewriting them into
standalone questions, by the model when its rewrite is usable, else deterministically (``--llm none``).

Everything here but ``standalone_question`` is pure, with table-driven tests in ``tests/test_chat.py``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.errors import AssistantError
from ..retrieve.outlets import outlet_key
from ..text.markers import CITATION_RE
from ..text.mentions import find_names
from ..text.words import STOPWORDS, without_possessive
from .worker import Cancelled

if TYPE_CHECKING:
    from ..llm import ChatModel
    from .transcript import Turn

_LEAD = re.compile(r"^\s*(?:(?:and|but|also|so|then|ok|okay|now|plus)\b[\s,]*)+", re.I)
_ABOUT_LEAD = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\b", re.I)
_ANAPHORA = frozenset("""he she it they them him his her hers its their theirs this these those same else
former latter""".split())
_THAT_ANAPHOR = re.compile(r"\b(?:about|of|on|with|after|before|for|to|by|like)\s+that\b|\b(?:that|there)\s*[?.!]*\s*$",
                           re.I)
_FILLER = frozenset("""what who whom whose which when where why how did does do doing done is are was were be been can
could will would should shall may might must has have had tell me say said says saying report reported reports
reporting think thought explain describe give show list more else anything something much many any also
happen happened happening mention mentioned according please us our regarding explain detail details""".split())
# Third-person singular pronouns, which point at a person (not "it"/"they", which may be anything).
_PERSONAL = frozenset("he she him her his hers himself herself".split())
_WORD = re.compile(r"[A-Za-z0-9][\w’'\-.]*[\w]|[A-Za-z0-9]")
MAX_CARRIED = 8
_REWRITE_PREFIX = re.compile(r"^\s*(?:standalone question|rewritten question|question|rewrite|q)\s*[:\-–]\s*", re.I)
_QUESTION_START = re.compile(r"^(?:what|who|whom|whose|which|when|where|why|how|did|does|do|is|are|was|were|can|"
                             r"could|will|would|should|has|have|had|in|according|tell|list|name|give|explain)\b", re.I)


def _words(text: str) -> list[str]:
    """Lower-cased words, a possessive's "'s" dropped ("Kubilius's" is "kubilius")."""
    return [without_possessive(w.lower().replace("’", "'")) for w in _WORD.findall(text)]


def is_follow_up(question: str) -> bool:
    """Does ``question`` lean on the conversation ("and what did India say?", "why?", "when was that")?"""
    text = question.strip()
    if not text:
        return False
    if _LEAD.match(text) or _ABOUT_LEAD.match(text):
        return True
    words = _words(text)
    names = find_names(text)
    # A pronoun after a name the question gives itself ("... Sam Bankman-Fried and what he said") points inward.
    first_name = min((n.start for n in names), default=len(text))
    before = _words(text[:first_name])
    if any(w in _ANAPHORA for w in before) or _THAT_ANAPHOR.search(text):
        return True
    content = [w for w in words if w not in STOPWORDS and w not in _FILLER]
    return len(content) <= 1 and not names


def key_terms(question: str) -> list[str]:
    """The words worth carrying into a follow-up, in order: names whole ("Sam Bankman-Fried"), then
    any other content word; question words, verbs of saying and stop words are left out."""
    names = [(m.start, m.end, m.text) for m in find_names(question)]
    terms: list[str] = []
    seen: set[str] = set()
    for match in _WORD.finditer(question):
        name = next((n for n in names if n[0] <= match.start() < n[1]), None)
        if name is not None:
            term = without_possessive(name[2])
        else:
            term = match.group(0)
            low = term.lower().replace("’", "'")
            if low in STOPWORDS or low in _FILLER or (len(low) < 3 and not low.isdigit()):
                continue
        if term.lower() not in seen:
            seen.add(term.lower())
            terms.append(term)
    return terms


def _names_an_outlet(text: str, outlets: Sequence[str]) -> bool:
    """Does ``text`` name a stored outlet? It does when it has the first word of the outlet's key
    ("Verge" for The Verge, "CNBC" for "Cnbc | World Business News Leader"), compared as keys."""
    heads = {key.split()[0] for key in map(outlet_key, outlets) if key}
    return not heads.isdisjoint(outlet_key(text).split())


def carried_terms(previous: str, question: str, outlets: Sequence[str] = ()) -> list[str]:
    """Key terms of ``previous`` that ``question`` does not already contain. When the question names
    an outlet of its own, the previous question's outlets are not carried ("and what did Fortune say?")."""
    have = set(_words(question))
    carried = [t for t in key_terms(previous) if not all(w in have for w in _words(t))]
    if outlets and _names_an_outlet(question, outlets):
        carried = [t for t in carried if not _names_an_outlet(t, outlets)]
    return carried[:MAX_CARRIED]


def person_referent(previous_answer: str | None, previous: str | None = None) -> str | None:
    """The person a follow-up's "she" or "his" most likely means: the first person the previous answer
    names (spaCy's NER), since the answer is what the user just read; else the first the previous
    question names."""
    from ..text.nlp import entities, parse

    for text in (previous_answer, previous):
        text = " ".join(CITATION_RE.sub("", text or "").split())
        person = next((e.text for e in entities(parse(text)) if e.label == "PERSON"), None) if text else None
        if person:
            return person
    return None


def resolve_person(question: str, previous_answer: str | None, previous: str | None) -> str:
    """``question`` with its first personal pronoun replaced by the person it means (``person_referent``):
    "What did she offer?" -> "What did Ursula von der Leyen offer?"; a possessive ("his", "her plan") becomes
    "Person's". The question is kept when it has no such pronoun or already names the person; a question
    without one costs no parse."""
    if _PERSONAL.isdisjoint(_words(question)):
        return question
    person = person_referent(previous_answer, previous)
    if not person or set(_words(person)) <= set(_words(question)):
        return question
    from ..text.nlp import parse_syntax

    pronoun = next((t for t in parse_syntax([question])[0] if t.lower_ in _PERSONAL and t.tag_ in ("PRP", "PRP$")),
                   None)
    if pronoun is None:
        return question
    name = f"{person}'s" if pronoun.tag_ == "PRP$" or pronoun.lower_ == "hers" else person
    return question[:pronoun.idx] + name + question[pronoun.idx + len(pronoun.text):]


def condense_fallback(previous: str | None, question: str, outlets: Sequence[str] = (),
                      previous_answer: str | None = None) -> str:
    """Deterministic standalone rewrite of a follow-up: a personal pronoun resolved to the person the
    previous answer names, and the previous (standalone) question's key terms carried over. A question
    that does not look like a follow-up is kept as is.

    ``("What is the EU exploring with India?", "and what did Modi say?")``
    -> ``"What did Modi say, regarding EU exploring India?"``
    """
    question = " ".join(question.split())
    if not previous or not is_follow_up(question):
        return question
    question = resolve_person(question, previous_answer, previous)
    carried = carried_terms(previous, question, outlets)
    core = _LEAD.sub("", question).strip().rstrip("?.! ").strip() or question.rstrip("?.! ")
    core = core[0].upper() + core[1:]
    # nothing left to carry (the follow-up names it all): the question alone, without its leading "And"
    return f"{core}, regarding {' '.join(carried)}?" if carried else f"{core}?"


def clean_rewrite(raw: str, question: str, previous: str | None, outlets: Sequence[str] = ()) -> str | None:
    """The model's standalone rewrite, tidied; ``None`` when it is unusable (empty, an answer rather than
    a question, too long, dropping a name the user typed, or not bringing in any context)."""
    lines = [ln.strip() for ln in raw.strip().splitlines() if ln.strip()]
    if not lines:
        return None
    text = _REWRITE_PREFIX.sub("", lines[0])
    text = CITATION_RE.sub("", text).strip().strip("\"'“”*`").strip()
    text = " ".join(text.split())
    if not text or len(text) > 300 or len(text.split()) < 3:
        return None
    if not (text.endswith("?") or _QUESTION_START.match(text)):
        return None  # the model answered instead of rewriting
    low = set(_words(text))
    if any(not set(_words(n.text)) <= low for n in find_names(question)):
        return None
    if previous:
        carried = carried_terms(previous, question, outlets)
        if carried and not any(set(_words(t)) <= low for t in carried):
            return None
    return text if text.endswith("?") else text.rstrip(".!") + "?"


def history_text(turns: Sequence["Turn"], max_turns: int = 3, answer_chars: int = 240) -> str:
    """The last few question/answer pairs for the condense prompt, answers shortened and unmarked."""
    lines: list[str] = []
    for turn in [t for t in turns if t.kind == "question"][-max_turns:]:
        lines.append(f"User: {turn.standalone or turn.question}")
        if turn.answer is not None:
            answer = " ".join(CITATION_RE.sub("", turn.answer.answer).split())
            if len(answer) > answer_chars:
                answer = answer[:answer_chars].rsplit(" ", 1)[0] + " …"
            lines.append(f"Assistant: {answer}")
    return "\n".join(lines)


def _last_question(turns: Sequence["Turn"]) -> "Turn | None":
    """The last question turn (briefings are not questions to follow up on)."""
    return next((turn for turn in reversed(turns) if turn.kind == "question"), None)


def previous_question(turns: Sequence["Turn"]) -> str | None:
    """The last question asked, as it was searched."""
    turn = _last_question(turns)
    return None if turn is None else turn.standalone or turn.question


def previous_answer(turns: Sequence["Turn"]) -> str | None:
    """The text of the last question's answer, when it has one."""
    turn = _last_question(turns)
    return None if turn is None or turn.answer is None else turn.answer.answer


def standalone_question(question: str, turns: Sequence["Turn"], llm: "ChatModel | None", outlets: Sequence[str],
                        cancel: threading.Event | None = None) -> str:
    """The standalone form of ``question``: the model's rewrite when usable, else the fallback.
    Ctrl-C (``cancel``) while the model writes raises ``Cancelled``."""
    previous = previous_question(turns)
    if not previous or not is_follow_up(question):
        return " ".join(question.split())
    if llm is not None:
        try:
            from ..llm.prompting import load_prompt

            messages = load_prompt("condense").render(history=history_text(turns), question=question)
            pieces: list[str] = []
            for piece in llm.stream(messages, max_tokens=60, temperature=0.0, stop=["\n\n"]):
                pieces.append(piece)
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
            rewrite = clean_rewrite("".join(pieces), question, previous, outlets)
            if rewrite:
                return rewrite
        except AssistantError:
            pass  # a failed rewrite is not worth failing the turn: fall back
    return condense_fallback(previous, question, outlets, previous_answer(turns))
