"""Answers built from what the question wants: per part of the question, the candidate of the wanted type that
attaches best to the question's words (``extract``), stated in the cleaned sentence that holds it (``tidy``),
with at most two supporting sentences from other articles. A typed question (who, where, when, how many…)
whose wanted candidate is not in the evidence abstains, saying what the articles do say about the subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.passage import Passage
from ..text.captions import has_finite_verb
from ..text.clauses import clauses
from ..text.indirect import indirect
from ..text.initials import in_full
from ..text.nlp import NAME_LABELS, entities, parse, parse_many
from ..text.people import name_key
from ..text.screening import instruction_like
from ..text.sentences import is_question, split_sentences
from ..text.words import content_keys, whole_phrase, word_keys
from . import constraints
from .compose import Composed, abstain, excerpt, finish
from .candidate_scorer import shipped
from .evidence import Evidence
from .extract import Found, candidates, described, names_in, states_act
from .full_names import full_name
from .people import Known, attribution, describe, introduce, known_people, speaks, with_referent
from .result import Answer
from .sources import Sources
from .state import Question, Tools
from .tidy import clean, name_organisation, name_speaker, resolve_subject
from .wants import WH_WORDS, Want, parts, wanted

SENTENCE_FLOOR = 0.4
"""Least cosine between a question part and the sentence stating its answer."""
REASON_BONUS = 0.1
"""Added to a sentence's similarity for a why-question when the sentence states a cause."""
_CAUSAL = re.compile(r"\b(?:because|due to|owing to|as a result|in order to|so that|since|thanks to)\b", re.I)
_PRONOUN_OPENING = re.compile(r"^(?:It|He|She|They|This|These|Those|Its|His|Her|Their)\b")
STATING_READ = 40
"""Evidence sentences (the closest to the question) a part's answer is looked for in."""
READ_PASSAGES = 8
"""Passages whose sentences answer a question (the best of the retrieved list)."""


@dataclass
class PartAnswer:
    """One part's answer: the evidence sentence stating it and the candidate (None for reasons and things)."""

    evidence: Evidence
    found: Found | None
    full: tuple[str, Passage] | None = None  # the fuller name the passages give a short-named candidate


def _answer_part(tools: Tools, part: str, want: Want, passages: list[Passage],
                 people: dict[str, Known]) -> PartAnswer | None:
    """The best candidate of the wanted type and its sentence; for untyped parts the best sentence; for
    "Who is X?" the role the passages give X, else the sentence describing X most fully."""
    ranked = _statements(tools, [part, *clauses(part, fine=True)], passages)
    if want.type == "reason":  # a sentence giving a cause answers "why" before one that only shares its words
        ranked = sorted(ranked, key=lambda e: -(e.score + (REASON_BONUS if _CAUSAL.search(e.sentence) else 0.0)))
    # "It is the most endangered …" says what it is about once "It" is the sentence before's subject
    ranked = [Evidence(e.passage, name_organisation(e.passage, with_referent(
        e.passage, resolve_subject(e.passage, e.sentence), people)), e.score) for e in ranked]
    if "PERSON" in want.labels or want.speaker:  # "…, she said" names its speaker (the answer, or whose words)
        ranked = [Evidence(e.passage, name_speaker(e.passage, e.sentence), e.score) for e in ranked]
    if want.subject:
        role = describe(want.subject, people)
        if role is not None:
            return PartAnswer(Evidence(role[1], role[0], 1.0), None)
        ev = described(want.subject, ranked)
        return PartAnswer(ev, None) if ev is not None else None
    if want.speaker:  # "What did X say?": a statement X makes, not any sentence naming X
        return _statement_of(want, ranked)
    cands = [c for c in candidates(want, part, ranked, passages, tools.retriever.day, tools.scorer.vectors)
             if c.best.evidence.score >= SENTENCE_FLOOR]
    if want.count:  # "which two states": one that names as many and could answer comes first (one is half)
        cands = sorted(cands, key=lambda c: not (names_in(c) == want.count
                                                 and (c.score >= shipped().floor or not want.typed)))
    # the floor decides abstention, so it holds only where the question abstains: an untyped "what"/"which"
    # part states its best candidate's sentence (the trainer chooses the floor on typed questions alone)
    credible = bool(cands) and cands[0].score >= shipped().floor
    acted = None if want.typed or credible else _named_act(want, ranked)
    if acted is not None:  # "What did Seth and Kubilius discuss?": "They discussed …" said of them, however worded
        return PartAnswer(acted, None)
    if cands and (credible or not want.typed):
        full = _fuller(cands[0], passages, people)
        return PartAnswer(cands[0].best.evidence, cands[0], full)
    if want.typed:
        return None
    # a sentence opening on a pronoun ("It is the most endangered …") does not say what it is about
    standalone = [e for e in ranked if not _PRONOUN_OPENING.match(clean(e.sentence)) and e.score >= SENTENCE_FLOOR]
    if not standalone:
        return None
    if want.act is None:
        return PartAnswer(standalone[0], None)
    # a sentence doing the question's act ("… to counter common threats") answers before one only close to it
    acting = (e for e, doc in zip(standalone, parse_many([e.sentence for e in standalone])) if states_act(doc, want.act))
    return PartAnswer(next(acting, standalone[0]), None)


def _named_act(want: Want, ranked: list[Evidence]) -> Evidence | None:
    """The closest sentence that does the question's act and names everyone the question says does it (its
    opening pronoun resolved): the answer's own clause, however far its wording is from the question's."""
    if want.act is None or not want.doers:
        return None
    names = [set(word_keys(n)) for n in want.doers]
    naming = [e for e in ranked if all(n <= set(word_keys(e.sentence)) for n in names)]
    return next((e for e, doc in zip(naming, parse_many([e.sentence for e in naming])) if states_act(doc, want.act)),
                None)


def _statement_of(want: Want, ranked: list[Evidence]) -> PartAnswer | None:
    """The closest sentence in which ``want.speaker`` says something; when the question asks about more than
    the speaker ("… say about Japan?"), the closest of those that name what it is about, else one as close
    to the question as any stated answer."""
    said = [e for e in ranked if speaks(e.sentence, want.speaker or "")]
    spoken = set(word_keys(want.speaker or "")) | {want.role[0] if want.role else ""}
    about = {w for w in want.focus if w not in spoken}
    naming = [e for e in said if about & set(content_keys(e.sentence))]
    best = naming[0] if naming else said[0] if said and (not about or said[0].score >= SENTENCE_FLOOR) else None
    return PartAnswer(best, None) if best is not None else None


def _fuller(found: Found, passages: list[Passage], people: dict[str, Known]) -> tuple[str, Passage] | None:
    """The full name of a short-named person or organisation ("Kirk" -> "Charlie Kirk"): the fullest form
    among its own mentions, else a person as the passages read name them (any of them, not only those from
    the question's time), else the fullest form the answering passages write."""
    if found.label in NAME_LABELS and len(word_keys(found.name)) > len(word_keys(found.text)):
        # a short name joined to its full one ("Lions"); an amount's longer form is another claim ("at least $2,000")
        return found.name, next(o.evidence.passage for o in found.occurrences if o.text.endswith(found.name))
    if found.label == "PERSON":
        known = people.get(name_key(found.text))
        if known is not None and known.actor.name != found.text and found.text in known.actor.name:
            return known.actor.name, known.holder
    return full_name(found, passages) if found.label in ("PERSON", "ORG") else None


def _stating(ranked: list[Evidence]) -> list[Evidence]:
    """The best ``STATING_READ`` sentences that state something (a finite verb: no timestamp or caption)."""
    top = ranked[:STATING_READ]
    return [e for e, doc in zip(top, parse_many([e.sentence for e in top])) if has_finite_verb(doc)]


def _statements(tools: Tools, queries: list[str], passages: list[Passage]) -> list[Evidence]:
    """The passages' sentences closest to ``queries`` that can state an answer: no instruction, no question,
    a finite verb."""
    return _stating([e for e in tools.scorer.ranked_sentences(queries, passages)
                     if not instruction_like(e.sentence) and not is_question(e.sentence)])


def _holds(first: PartAnswer, want: Want) -> bool:
    """Whether the first part's stated sentence already holds an entity a later part wants."""
    doc = parse(_stated(first.evidence))
    return any(e.label in want.labels for e in entities(doc))


def _stated(ev: Evidence) -> str:
    return excerpt(clean(name_speaker(ev.passage, ev.sentence)))


def _supporting(found: Found, used: set[str]) -> list[Evidence]:
    """Up to two more sentences naming the candidate, from articles not yet cited."""
    out = []
    for occ in found.occurrences[1:]:
        article = occ.evidence.passage.article.id
        if article in used or occ.evidence.score < SENTENCE_FLOOR:
            continue
        used.add(article)
        out.append(occ.evidence)
        if len(out) == 2:
            break
    return out


def _compose(answers: list[PartAnswer], people: dict[str, Known]) -> tuple[list[Composed], Sources]:
    """First the sentence of each part (a sentence already holding a later part's answer states it once),
    then the supporting sentences, at most two; each person named in full (with the role) once (``people``
    empty: as the sentences name them)."""
    srcs = Sources()
    composed: list[Composed] = []
    said: set[str] = set()
    used: set[str] = set()
    named: set[str] = set()
    for a in answers:
        text = _stated(a.evidence)
        if text in said:
            continue
        said.add(text)
        used.add(a.evidence.passage.article.id)
        cites = [srcs.cite(a.evidence.passage)]
        if a.full is not None and a.found is not None and a.full[0] not in text:
            # "Altman's exit…" names the answer in full: "Sam Altman's exit…", citing where the full name is
            text = whole_phrase(a.found.text).sub(_written_in_full(a.found, a.full[0]), text, count=1)
            text = text[:1].upper() + text[1:]  # "the Detroit Lions have played …" opens the sentence
            cites = list(dict.fromkeys([*cites, srcs.cite(a.full[1])]))
        composed.append(_introduced(text, cites, people, named, srcs))
    if len(answers) == 1 and answers[0].found is not None:
        for ev in _supporting(answers[0].found, used):
            text = _stated(ev)
            if text not in said:  # a syndicated copy says nothing new
                said.add(text)
                composed.append(_introduced(text, [srcs.cite(ev.passage)], people, named, srcs))
    return composed, srcs


def _written_in_full(found: Found, full: str):
    """The replacement of a short form by ``full`` (a bare acronym takes "the", ``text.initials.in_full``)."""
    return lambda m: in_full(m.string[:m.start()], found.text, full)


def _introduced(text: str, cites: list[int], people: dict[str, Known], named: set[str], srcs: Sources) -> Composed:
    """The sentence with its first new person named in full (and role) when a passage the answer already
    cites says so (a passage cited only for a name would dilute the citations), citing that passage."""
    cited = {x.chunk_id for x in srcs.items}
    text, backing = introduce(text, {k: v for k, v in people.items() if v.holder.chunk_id in cited}, named)
    return Composed(text, list(dict.fromkeys([*cites, *(srcs.cite(x) for x in backing)])))


def _refers_back(part: str) -> bool:
    """Whether a later part asks about what the first part found ("… and who said it?")."""
    return any(t.pos_ == "PRON" and t.lower_ in ("it", "this", "that", "them") for t in parse(part))


def _parts_answered(tools: Tools, q: Question,
                    pool: list[Passage]) -> tuple[list[PartAnswer] | str, list[Passage], dict[str, Known]]:
    """Each part's answer (or the first part left unanswered), the passages read and the people they name."""
    pieces = parts(q.text)
    answers: list[PartAnswer] = []
    people = known_people(pool)
    for i, part in enumerate(pieces):
        want = q.plan.want if i == 0 and len(pieces) == 1 and q.plan.want else wanted(part)
        if i and answers and _holds(answers[0], want):
            continue  # the first part's sentence already names it ("…, Ursula von der Leyen said")
        if want.subject:  # "Who is X?": the passages about X describe X, whatever the question's other words
            pool = list({x.chunk_id: x for x in [*pool, *tools.retriever.search(
                want.subject, k=READ_PASSAGES, filters=q.scoped)]}.values())
            people = known_people(pool)
        first = answers[0].evidence if answers else None
        if first is not None and "PERSON" in want.labels and _refers_back(part):
            # "… and who said it?": the statement's speaker, or the attribution that follows it
            said = attribution(first.passage, first.sentence, people)
            if said is not None and said != first.sentence:
                answers.append(PartAnswer(Evidence(first.passage, said, first.score), None))
                continue
        # A later part is read in the first part's article first, with the first part as context; only
        # passages that hold the part's numbers and report from the question's time can answer it.
        asked = part if i == 0 else f"{part} {pieces[0]}"
        fits = constraints.of(tools, q, part)
        usable = [x for x in pool if fits.holds(x)]
        near = [x for x in usable if first is not None and x.article.id == first.passage.article.id]
        recent = [x for x in usable if fits.fresh(x)]  # "recently": the recent reports first
        found = next((f for tier in (near, recent if len(recent) < len(usable) else [], usable) if tier
                      and (f := _answer_part(tools, asked, want, tier, people)) is not None), None)
        if found is None:
            return part, pool, people
        answers.append(found)
    return answers, pool, people


def typed_answer(tools: Tools, q: Question, passages: list[Passage]) -> Answer:
    """Answer ``q`` part by part from ``passages``; abstain, saying what the articles do say, when a part's
    wanted answer is missing."""
    answers, pool, people = _parts_answered(tools, q, passages[:READ_PASSAGES])
    if isinstance(answers, str):
        return not_said(tools, q, answers, pool)
    composed, srcs = _compose(answers, people)
    answer = finish(tools, q.quiet(), composed, srcs, "typed")
    if answer.abstained and people:  # a name written out from another passage may be misread: as written
        composed, srcs = _compose(answers, {})
        answer = finish(tools, q.quiet(), composed, srcs, "typed")
    if answer.abstained:  # the cleaned first sentence failed: the passage's own words, as written
        raw = {excerpt(a.evidence.sentence): srcs.cite(a.evidence.passage) for a in answers}
        answer = finish(tools, q.quiet(), [Composed(t, [n]) for t, n in raw.items()], srcs, "typed")
    if not answer.abstained:
        q.emit(answer.answer)
    return answer if not answer.abstained else not_said(tools, q, q.text, pool)


def candidate_hints(tools: Tools, q: Question, passages: list[Passage], most: int = 3) -> list[str]:
    """The best candidates of the wanted type in ``passages``: hints for a model that writes the answer."""
    want = q.plan.want or wanted(q.text)
    ranked = _stating(tools.scorer.ranked_sentences([q.text], passages))
    return [c.text for c in candidates(want, q.text, ranked, passages, tools.retriever.day, tools.scorer.vectors)[:most]
            if c.score >= shipped().floor]


def not_said_lead(part: str) -> str:
    """"The indexed articles do not say which …" for a question that opens on its question word, in the
    embedded word order ("when the pact was signed", ``text.indirect``); a question that puts its question word
    later ("… calling for which of the following?"), has none, or whose inverted subject the parse does not
    give is quoted whole instead. A question set up by a statement ("A UPS cargo plane crashed this week. Where
    did the crash occur?") is said by its asking sentence ("… do not say where the crash occurred.")."""
    asked = part.strip().rstrip("?").strip()
    last = split_sentences(f"{asked}?")[-1].rstrip("?").strip()
    embedded = indirect(f"{last}?") if last.split(" ", 1)[0].lower() in WH_WORDS else None
    if embedded is not None:
        return f"The indexed articles do not say {embedded}."
    return f"The indexed articles do not answer “{asked}?”"


def not_said(tools: Tools, q: Question, part: str, passages: list[Passage]) -> Answer:
    """'The indexed articles do not say which …', then one verified, cited sentence on the subject."""
    lead = not_said_lead(part)
    ranked = _statements(tools, [part], passages)
    keys = set(content_keys(" ".join(wanted(part).focus)))  # the subject, not the wanted noun ("percentage")
    on_subject = [e for e in ranked[:5] if keys & set(content_keys(e.sentence))]
    answer = abstain(tools, q.quiet(), f"no {q.plan.want.type if q.plan.want else 'answer'} the question wants "
                     "is in the evidence", sources=passages[:3])
    answer.answer = lead
    if on_subject:
        srcs = Sources()
        line = finish(tools, q.quiet(), [Composed(_stated(on_subject[0]), [srcs.cite(on_subject[0].passage)])],
                      srcs, "abstain")
        if not line.abstained:
            answer.answer = f"{lead} {line.answer}"
            answer.sentences, answer.sources = line.sentences, line.sources
    q.emit(answer.answer)
    return answer
