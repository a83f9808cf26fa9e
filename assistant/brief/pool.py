"""The candidate pool: every sentence of the articles, embedded and scored, and the two rules every
section applies when it picks from the pool (no repeats; relevance balanced against redundancy)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..core.errors import InputError
from ..text.screening import instruction_like
from ..text.sentences import split_sentences
from ..text.words import content_keys
from ..text.asides import without_asides
from .centrality import lexrank
from ..core.passage import Passage
from ..text.captions import glued_parts, without_captions
from ..text.people import cast
from ..text.standalone import SAYER_REACH, attributed, named_role, resolved, role_holders
from ..text.datelines import strip_dateline
from .lines import FIRST_PERSON, Line, prose_ok, unquoted
from .state import NoteState


def collect_sentences(state: NoteState) -> None:
    """Every sentence of every article, mapped to the passage that holds it; prose candidates scored.
    Instruction-like sentences never enter the pool: no line, actor or quote is taken from them."""
    cfg = state.cfg
    for ai, article in enumerate(state.articles):
        position = 0
        seen: set[str] = set()
        for passage, sentence in _statements(article.passages):
            text = " ".join(sentence.split())
            if text in seen or instruction_like(text):  # chunk overlap repeats sentences
                continue
            seen.add(text)
            state.sentences.append(Line(strip_dateline(text, cfg.min_words), ai, [passage], position, raw=sentence))
            position += 1
        if position == 0:
            state.problems.append({"article_id": article.id, "title": article.title, "reason": "no usable text"})
    if not state.sentences:
        raise InputError("the selected articles contain no usable sentences")
    standalone = _stand_alone(state)
    state.lines = [s for s in state.sentences if id(s) in standalone and prose_ok(s.text, cfg.min_words, cfg.max_words)]
    if cfg.drop_asides:
        for line in state.lines:
            line.text = without_asides(line.text, cfg.min_words)
    texts = [s.raw or s.text for s in state.sentences]
    if state.topic:
        texts.append(state.topic)
    vectors = state.embedder.matrix(texts)
    if state.topic:
        state.topic_vec = vectors[-1]
    for line, vec in zip(state.sentences, vectors):
        line.vec = vec
        if line.raw != line.text:
            state.embedder.alias(line.text, line.raw)
    score_lines(state, state.sentences)


def _statements(passages: Sequence[Passage]) -> list[tuple[Passage, str]]:
    """(passage, sentence) for every sentence of ``passages``, statements run together without a full stop
    (a photo caption and the sentence after it) told apart (``text.captions.glued_parts``)."""
    from ..text.nlp import parse_many

    pairs = [(p, " ".join(s.split())) for p in passages for s in split_sentences(p.text)]
    docs = parse_many([s for _, s in pairs])
    return [(p, part) for (p, _), doc in zip(pairs, docs) for part in glued_parts(doc)]


def _stand_alone(state: NoteState) -> set[int]:
    """The actors of the articles (``people.cast``), and the ids of the sentences that stand alone: an
    opening pronoun is replaced by its referent from the sentence before (whose passage the line then
    cites too, and the passage that writes the referent's full name, so the verifier finds it); a
    sentence whose referent is unclear is left out of the prose. A photo caption glued onto a sentence is
    cut off (``text.captions``); a sentence without a finite verb is no statement and stays out of the prose."""
    from ..text.nlp import parse_many

    texts = [s.text for s in state.sentences]
    state.actors = cast(texts)
    docs = parse_many(texts)
    holders = role_holders(state.actors)
    ok: set[int] = set()
    for i, line in enumerate(state.sentences):
        statement = without_captions(line.text, docs[i])
        if statement is None or len(statement.split()) < state.cfg.min_words:
            continue  # no statement, or only a fragment once its caption is cut off
        if statement != line.text:
            line.text = line.raw = statement
            docs[i] = parse_many([statement])[0]
        before = state.sentences[i - 1] if i and state.sentences[i - 1].article == line.article else None
        found = resolved(line.text, docs[i], docs[i - 1] if before else None, state.actors)
        if found is None:
            continue
        text, name = found
        if text != line.text:
            line.text = text
            _cite(state, line, [before.passages[0]] if before is not None else [], name)
        if ", it " in line.text and before is not None:  # "…, it said": who is saying it in the sentence before
            said, *earlier = parse_many([line.text, *_before(state, i)])
            line.text, said_by = attributed(line.text, said, earlier)
            if said_by:
                _cite(state, line, [before.passages[0]], said_by)
        line.text, written = named_role(line.text, holders)
        if written:
            _cite(state, line, [], written)
        ok.add(id(line))
    return ok


def _before(state: NoteState, i: int) -> list[str]:
    """The sentences of line ``i``'s article just before it, as they now read (``SAYER_REACH`` of them)."""
    line, out = state.sentences[i], []
    for prev in reversed(state.sentences[max(0, i - SAYER_REACH):i]):
        if prev.article != line.article:
            break
        out.insert(0, prev.text)
    return out


def _cite(state: NoteState, line: Line, passages: list[Passage], written: str) -> None:
    """``line`` citing also ``passages`` and the first passage of its article that writes ``written`` (a
    referent's full name, a role with its holder's name), so the verifier finds what was written in."""
    cited = passages + [p for p in state.articles[line.article].passages if written in " ".join(p.text.split())][:1]
    for passage in reversed(cited):
        if all(passage.chunk_id != p.chunk_id for p in line.passages):
            line.passages.insert(0, passage)


def score_lines(state: NoteState, lines: Sequence[Line]) -> None:
    """score = position weight/(1+position) + centrality weight*centrality + topic weight*topic similarity.

    Centrality is LexRank over every sentence of every article (``centrality``), so the lines that
    several sources share rise; on news, lead sentences are the strongest single signal. With a
    topic, relevance counts more and position less (the leads of several articles compete). The
    reporter's own first-person voice ("I have been wondering…") is not briefing material."""
    cfg = state.cfg
    if state.topic_vec is not None:
        w_position, w_topic = cfg.position_weight / 2, cfg.topic_weight * 2
    else:
        w_position, w_topic = cfg.position_weight, 0.0
    central = centralities(state, lines)
    for line, centre in zip(lines, central):
        topical = float(line.vec @ state.topic_vec) if state.topic_vec is not None else 0.0
        line.score = w_position / (1 + line.position) + cfg.centrality_weight * centre + w_topic * topical
        if line.text[:1] in "\"'“‘":
            line.score -= cfg.quote_penalty  # quotes have their own section
        if FIRST_PERSON.search(unquoted(line.text)):
            line.score -= cfg.first_person_penalty


def centralities(state: NoteState, lines: Sequence[Line]) -> list[float]:
    """Each line's LexRank score in the graph of all the articles' sentences; a model line takes the
    score of the sentence it is most like (it restates that sentence)."""
    if state.centrality is None:
        state.centrality = lexrank(np.stack([s.vec for s in state.sentences]))
    index = {id(s): i for i, s in enumerate(state.sentences)}
    matrix = None
    out = []
    for line in lines:
        i = index.get(id(line))
        if i is None:
            matrix = np.stack([s.vec for s in state.sentences]) if matrix is None else matrix
            i = int(np.argmax(matrix @ line.vec))
        out.append(float(state.centrality[i]))
    return out


def repeats(state: NoteState, line: Line, others: Sequence[Line]) -> bool:
    """Whether ``line`` says what one of ``others`` says: the same text, a near-identical vector, or
    mostly the same content words."""
    keys = set(content_keys(line.text))
    for other in others:
        if other is line or other.text == line.text:
            return True
        if float(line.vec @ other.vec) >= state.cfg.repeat_cosine:
            return True
        okeys = set(content_keys(other.text))
        if keys and okeys and len(keys & okeys) / len(keys | okeys) >= state.cfg.repeat_jaccard:
            return True
    return False


def best_line(state: NoteState, pool: Sequence[Line], chosen: Sequence[Line]) -> Line | None:
    """The best line that repeats nothing already in the note, rewarding new outlets (maximal marginal
    relevance)."""
    cfg = state.cfg
    outlets = Counter(state.source(c) for c in chosen)
    best, best_value = None, -1e9
    for line in pool:
        if repeats(state, line, state.used) or repeats(state, line, chosen):
            continue
        redundancy = max((float(line.vec @ c.vec) for c in chosen), default=0.0)
        value = cfg.mmr_lambda * line.score - (1 - cfg.mmr_lambda) * redundancy
        if len(state.outlets) > 1:
            value -= cfg.outlet_penalty * outlets[state.source(line)]
        if value > best_value:
            best, best_value = line, value
    return best
