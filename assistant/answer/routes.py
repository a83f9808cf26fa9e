"""Which way a question is answered, and the ways. The default model is tiny, so the system decides what it
can decide itself and the model only phrases:

* yes/no, choice and which-outlet questions are split into the claims they make about each named outlet;
  each claim is looked up in that outlet's articles (on the named day, when there is one) and checked;
  before/after questions compare publication dates. The verdict sentence cites the passages behind it.
* "who/which/what" questions take the name that the passages retrieved for the question's several
  descriptions agree on; the model (when there is one) may phrase the answer, and its sentences must
  pass the verifier.
* other questions go to the model with 3-5 trimmed, fenced passages (or, with ``--llm none``, to the
  best matching passage sentences).

When the question names an outlet or a person the index doesn't have, the answer says plainly that the
indexed articles do not say.
"""

from __future__ import annotations

import re
from itertools import zip_longest
from datetime import date, timedelta

from ..core.passage import Passage
from ..retrieve.filters import Filters
from ..text.captions import has_finite_verb
from ..text.clauses import clauses
from ..text.dates import day_stamp
from ..text.nlp import parse
from ..text.screening import instruction_like
from ..text.sentences import is_question
from ..text.words import whole_phrase, word_keys
from .candidates import Candidate, entity_candidates, in_every_outlet, of_type, wanted_type
from .compose import Composed, abstain, finish, model_answer, quotes
from .evidence import Evidence
from .plan import ANTONYM_PREFIXES, Claim, Plan, name_found
from .result import Answer
from .sources import Sources, prompt_passages
from .state import Question, Tools
from .typed import candidate_hints, typed_answer

CLAIM_SUPPORT = 0.5
"""Least cosine between a question's claim and an outlet's sentence for the claim to count as found."""
OPEN_SUPPORT = 0.45
"""Least cosine between a question and a passage sentence for extractive answers to quote it."""
ENTITY_MIN_QUERIES = 2
"""An answer entity must appear in the results of at least this many of the question's descriptions."""
DESCRIPTIONS = 2
"""A question with at least this many descriptions of its answer is answered by the name they agree on."""
TYPE_CHECKED = 5
"""Best-supported names read for their entity type when the question wants a typed answer (the first that fits
is the agreed name)."""

Found = list[tuple[Claim, Evidence | None]]


def route(tools: Tools, q: Question) -> Answer:
    """Answer by the question's plan: unknown outlets abstain, claims are judged, names found, the rest open."""
    p = q.plan
    if p.unknown_outlets:
        names = ", ".join(p.unknown_outlets[:2])
        return abstain(tools, q, f"no articles from {names} are in the index")
    if p.kind in ("yesno", "choice", "outlet_choice") and p.claims:
        return judge(tools, q)
    if p.kind == "entity" or p.want is not None and p.want.typed:
        return entity(tools, q)
    return open_question(tools, q)


def names_block(q: Question) -> str | None:
    """A reason to abstain when the question's people/things are absent from the retrieved passages."""
    keys = {k for x in q.passages for k in word_keys(f"{x.article.title} {x.text}")}
    missing = [n for n in q.plan.names if not name_found(n, keys)]
    if not missing:
        return None
    if len(missing) * 3 >= len(q.plan.names) or any(len(word_keys(m)) >= 2 for m in missing):
        return f"the indexed articles never mention {missing[0]}"
    return None


# ---- yes/no, choice and which-outlet questions: the system judges -----------------------------------

def claim_evidence(tools: Tools, claim: Claim, base: Filters) -> Evidence | None:
    """The best sentence of the claimed outlet's articles for the claim (on the named day, if any)."""
    scoped = Filters(sources=list(claim.sources)).merged(base)
    tries = []
    if claim.date is not None:
        try:
            day = date(claim.date.year, claim.date.month, claim.date.day)
            tries.append(Filters(day_stamp(day - timedelta(days=1)), day_stamp(day + timedelta(days=1), end=True),
                                 list(scoped.sources)).merged(base))
        except ValueError:  # an impossible date in the question: just ignore it
            pass
    tries.append(scoped)
    for f in tries:
        passages = tools.retriever.search(claim.query, k=tools.settings.answer.claim_passages, filters=f)
        if passages:
            best = tools.scorer.best(claim.query, passages)
            if best:
                return best[0]
    return None


def judge(tools: Tools, q: Question) -> Answer:
    """Look each claim up in its outlet's articles, then answer by the question's kind."""
    p = q.plan
    found: Found = [(claim, claim_evidence(tools, claim, q.filters)) for claim in p.claims]
    q.passages = [e.passage for _, e in found if e] + tools.retriever.search(
        p.question, k=tools.settings.answer.names_passages, filters=q.filters, plan=p.search)
    block = names_block(q)
    if block:
        return abstain(tools, q, block)
    supported = [(c, e) for c, e in found if e and e.score >= CLAIM_SUPPORT]
    if not supported:
        return abstain(tools, q, "no claim of the question is found in the named outlets' articles")
    if p.kind == "outlet_choice":
        return _which_outlet(tools, q, supported)
    if p.order and len(found) >= 2 and len(supported) == len(found):
        return _date_order(tools, q, supported)
    return _verdict(tools, q, found, supported)


def _which_outlet(tools: Tools, q: Question, supported: list[tuple[Claim, Evidence]]) -> Answer:
    """The outlet whose claim evidence fits the question's topic best, with its report's date."""
    topic = re.sub(r"\b(?:which|news|source|outlet)\b", " ", q.text, flags=re.IGNORECASE)

    def fit(ev: Evidence) -> float:
        best = tools.scorer.best(topic, [ev.passage])
        return best[0].score if best else 0.0

    _, ev = max(supported, key=lambda ce: fit(ce[1]))
    srcs = Sources()
    n = srcs.cite(ev.passage)
    composed = [Composed(f"{ev.passage.article.source} published its report on "
                         f"{ev.passage.article.published_at[:10]}", [n], kind="dates")]
    return finish(tools, q, composed + quotes([ev], srcs), srcs, "outlet")


def _date_order(tools: Tools, q: Question, supported: list[tuple[Claim, Evidence]]) -> Answer:
    """Before/after: whether the first claim's report was published before (after) the second's."""
    (_, e1), (_, e2) = supported[0], supported[1]
    d1, d2 = e1.passage.article.published_at, e2.passage.article.published_at
    if not d1 or not d2 or d1[:10] == d2[:10]:
        return abstain(tools, q, "the two reports' dates cannot be compared")
    holds = d1 < d2 if q.plan.order == "before" else d1 > d2
    srcs = Sources()
    n1, n2 = srcs.cite(e1.passage), srcs.cite(e2.passage)
    composed = [Composed(f"{'Yes' if holds else 'No'}: {e1.passage.article.source} published its report on "
                         f"{d1[:10]}", [n1], kind="dates"),
                Composed(f"{e2.passage.article.source} published its report on {d2[:10]}", [n2], kind="dates")]
    return finish(tools, q, composed + quotes([e1, e2], srcs), srcs, "dates")


def _verdict(tools: Tools, q: Question, found: Found, supported: list[tuple[Claim, Evidence]]) -> Answer:
    """Yes/no or a choice between the question's options, followed by the evidence quoted."""
    p = q.plan
    all_found = len(supported) == len(found)
    route_name = "claims"
    if p.kind == "choice" and p.options:
        verdict = _choice(p, all_found)
        if verdict is None:
            return abstain(tools, q, "the system cannot compare the reports on that point")
        route_name = "choice"
    elif all_found:
        verdict = "No" if p.frame == "inconsistent" else "Yes"
    else:
        verdict = "No"
    evidence = [e for _, e in supported]
    if not all_found:
        # Show what the outlet whose claim is not found does say on the subject, first.
        closest = [e for _, e in found if e is not None and e.score < CLAIM_SUPPORT]
        if not closest:
            return abstain(tools, q, "a named outlet has nothing on the subject")
        evidence = closest[:1] + evidence
    srcs = Sources()
    quoted = quotes(evidence, srcs)
    if not quoted:
        return abstain(tools, q, "no quotable evidence")
    quoted[0] = Composed(f"{verdict}: {quoted[0].text}", quoted[0].citations)
    return finish(tools, q, quoted, srcs, route_name)


def _choice(p: Plan, all_found: bool) -> str | None:
    """consistent/inconsistent-style choices: the reports found agree unless a claim is missing."""
    a, b = p.options or ("", "")

    def negates(x: str, y: str) -> bool:
        return any(x.startswith(pre) and x[len(pre):] == y for pre in ANTONYM_PREFIXES)

    positive = a if negates(b, a) else b if negates(a, b) else None
    if positive is None:
        return None
    negative = b if positive == a else a
    return (positive if all_found else negative).capitalize()


# ---- who/which/what questions ------------------------------------------------------------------------

def _entity_search(tools: Tools, q: Question) -> list[list[Passage]]:
    """Results for the question and each of its descriptions (in the named outlets, when they have any);
    their union becomes ``q.passages``."""
    pieces = clauses(q.text, fine=True) or [q.text]
    queries = [q.text, *pieces[:6]]
    k = tools.settings.answer.entity_passages
    plans = [q.plan.search, *[None] * (len(queries) - 1)]
    lists = tools.retriever.search_batch(queries, k=k, filters=q.scoped, plans=plans)
    if q.plan.sources and sum(map(len, lists)) == 0:
        lists = tools.retriever.search_batch(queries, k=k, filters=q.filters, plans=plans)
    q.passages = list({x.chunk_id: x for lst in lists for x in lst}.values())
    return lists


def entity(tools: Tools, q: Question) -> Answer:
    """The answer of the wanted type the evidence supports (``typed``); a question built of several
    descriptions is answered by the name their results agree on. The model, when there is one, phrases."""
    p = q.plan
    lists = _entity_search(tools, q)
    if not q.passages:
        return abstain(tools, q, "nothing in the index matches the question")
    block = names_block(q)
    if block:
        return abstain(tools, q, block)
    # The results of the question and of its descriptions, interleaved by rank (each one's best first).
    ordered = list({x.chunk_id: x for rank in zip_longest(*lists) for x in rank if x is not None}.values())
    outlets = [o.surface for o in p.outlets] + list(tools.retriever.sources)
    cands = entity_candidates(p.question, lists[1:] or lists, exclude=outlets, want=wanted_type(p.question))
    cited = list(dict.fromkeys(m.sources for m in p.outlets))
    if len(cited) >= 2:  # named by each outlet the question cites
        cands = in_every_outlet(cands, cited, q.passages)
    if p.want is not None and p.want.typed:  # the agreed name must be the kind of thing asked for
        cands = of_type(cands[:TYPE_CHECKED], p.want.labels, q.passages)
    best = cands[0] if cands else None
    agreed = best is not None and len(best.queries) >= min(ENTITY_MIN_QUERIES, max(1, len(lists) - 1))
    if tools.writer is None or q.cancelled:
        # Several descriptions of one unnamed answer ("the figure whose departure … and who …"): the name
        # most of their results hold is the answer; a plain question is answered by extraction.
        if agreed and len(lists) - 1 >= DESCRIPTIONS and best is not None:
            composed, srcs = _entity_quotes(tools, q, best)
            if composed:
                answer = finish(tools, q.quiet(), [stated_in_full(composed[0], best.display(), q, srcs),
                                                   *composed[1:]], srcs, "entity")
                if not answer.abstained:
                    q.emit(answer.answer)
                    return answer
        return typed_answer(tools, q, ordered)
    if not agreed or best is None:
        return model_answer(tools, q, q.passages[:4], hints=candidate_hints(tools, q, q.passages[:4]))
    composed, srcs = _entity_quotes(tools, q, best)
    phrased = model_answer(tools, q.quiet(), [srcs.items[c.citations[0] - 1] for c in composed][:4],
                           must_mention=best.display())
    if not phrased.abstained:
        q.emit(phrased.answer)
        phrased.route = "entity+model"
        return phrased
    return typed_answer(tools, q, ordered)


def stated_in_full(first: Composed, name: str, q: Question, srcs: Sources) -> Composed:
    """The first quote naming the answer in full ('Bankman-Fried said' -> 'Sam Bankman-Fried said'),
    also citing a passage that writes the full name. The short form must stand alone as a name (not inside
    another: "Google's Search Generative Experience" keeps its "Search")."""
    text = first.text
    if name in text or len(name.split()) < 2 or re.search(r"['’]s\b", name):
        return Composed(text, first.citations)
    # the headline counts (the verifier reads it as part of the passage) unless it reads like an instruction
    holder = next((x for x in q.passages if name in " ".join(x.text.split())
                   or name in x.article.title and not instruction_like(x.article.title)), None)
    short = name.split()[-1]
    alone = next((m for m in whole_phrase(short).finditer(text) if _stands_alone(text, m.start(), m.end())),
                 None)
    if holder is None or alone is None:
        return Composed(text, first.citations)
    text = text[:alone.start()] + name + text[alone.end():]
    return Composed(text, list(dict.fromkeys([*first.citations, srcs.cite(holder)])))


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Whether the word at [start, end) is a name by itself: no capitalised word right before or after it
    (a sentence's first word aside)."""
    before = text[:start].rstrip().split()
    after = text[end:].lstrip("’'s").split()
    joined_before = bool(before) and text[:start].endswith(" ") and before[-1][:1].isupper() \
        and not before[-1].endswith((".", ",", ":", ";")) and len(before) > 1
    joined_after = bool(after) and text[end:].startswith(" ") and after[0][:1].isupper()
    return not joined_before and not joined_after


def _entity_quotes(tools: Tools, q: Question, best: Candidate) -> tuple[list[Composed], Sources]:
    """Up to three sentences naming the entity, from different articles (the passages the model phrases from)."""
    name = best.display()
    holders = [x for x in q.passages if set(best.key) <= set(word_keys(f"{x.article.title} {x.text}"))]
    seen_articles: set[str] = set()
    evidence = []
    for ev in tools.scorer.best(q.text, holders):
        # The quoted sentence must itself name the entity (any of its words), so the answer reads true.
        named = tools.scorer.best(q.text, [ev.passage], must=name.split()[-1])
        if not named or ev.passage.article.id in seen_articles or instruction_like(named[0].sentence) \
                or is_question(named[0].sentence) or not has_finite_verb(parse(named[0].sentence)):
            continue
        seen_articles.add(ev.passage.article.id)
        evidence.append(named[0])
        if len(evidence) == 3:
            break
    srcs = Sources()
    return quotes(evidence, srcs), srcs


# ---- open questions ----------------------------------------------------------------------------------

def open_question(tools: Tools, q: Question) -> Answer:
    """The model phrases from the closest passages (verified passage sentences when it fails); or, with
    no model, the closest passage sentences are quoted."""
    q.passages = tools.retriever.search(q.text, k=tools.settings.answer.open_passages, filters=q.scoped,
                                        plan=q.plan.search)
    if not q.passages:
        return abstain(tools, q, "nothing in the index matches the question")
    block = names_block(q)
    if block:
        return abstain(tools, q, block)
    ranked = tools.scorer.best(q.text, q.passages)
    # "What did X say?" is near no sentence as a whole; whose statement it is decides (``typed``)
    statement = q.plan.want is not None and q.plan.want.speaker is not None
    if not ranked or ranked[0].score < OPEN_SUPPORT and not statement:
        return abstain(tools, q, "the retrieved passages are too far from the question", sources=q.passages[:3])
    if tools.writer is not None:
        order = list(dict.fromkeys(e.passage.chunk_id for e in ranked))
        by_id = {x.chunk_id: x for x in q.passages}
        # When none of the model's sentences survive verification, the system's answer from the
        # passages still answers: the model phrases, it does not get to decide to fail.
        shown = [by_id[c] for c in order][: prompt_passages(tools.settings)]
        return model_answer(tools, q, shown, hints=candidate_hints(tools, q, shown),
                            fallback=lambda: typed_answer(tools, q, q.passages))
    return typed_answer(tools, q, q.passages)
