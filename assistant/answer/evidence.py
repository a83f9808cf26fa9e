"""Evidence selection without a language model: the best sentences of retrieved passages for a query,
candidate answer entities supported by several passages, and screening of instruction-like article text.

Used by ``--llm none`` (answers are built from these sentences) and by every mode for claim checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..core.passage import Passage
from ..text.mentions import find_names
from ..text.sentences import split_sentences
from ..text.words import content_keys, word_keys

# Text in an article that addresses the reader's AI rather than reporting news. Such sentences are never
# quoted in an answer and are blanked out of prompts (the fence is the first defence, this the second).
_INSTRUCTION_LIKE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|directions)\b"
    r"|\b(?:system prompt|you are now|new instructions|as an ai|language model)\b"
    r"|\b(?:reply|respond|answer|say|output|print|write)\s+(?:only\s+|just\s+|exactly\s+)?(?:with\s+)?[\"'“]?[A-Z]{4,}\b",
    re.IGNORECASE | re.DOTALL,
)
REDACTED = "(instruction-like text removed)"


def instruction_like(text: str) -> bool:
    """Whether a sentence reads as an instruction to an AI system (a prompt-injection attempt)."""
    return bool(_INSTRUCTION_LIKE.search(text))


def clean_sentences(text: str) -> list[str]:
    """A passage's sentences with whitespace collapsed; instruction-like ones left out."""
    return [s for s in (" ".join(x.split()) for x in split_sentences(text)) if s and not instruction_like(s)]


def redact(text: str) -> str:
    """The passage text with instruction-like sentences replaced by a marker (for prompts)."""
    out = []
    for sentence in split_sentences(text):
        out.append(REDACTED if instruction_like(sentence) else " ".join(sentence.split()))
    return " ".join(out)


@dataclass
class Evidence:
    """One sentence of one passage and how well it matches a query (cosine of MiniLM vectors)."""

    passage: Passage
    sentence: str
    score: float


class SentenceScorer:
    """Cosine similarity between queries and passage sentences; sentence vectors are cached.

    Only the ``per_passage`` sentences sharing most content words with the query are embedded, since
    the embedder manages about 60 texts/s on two cores.
    """

    def __init__(self, embedder, per_passage: int = 5, cache_size: int = 50_000) -> None:
        self.embedder = embedder
        self.per_passage = per_passage
        self.cache_size = cache_size
        self._vectors: dict[str, np.ndarray] = {}

    def vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        new = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if new:
            if len(self._vectors) + len(new) > self.cache_size:
                self._vectors.clear()
                new = list(dict.fromkeys(texts))
            got = np.asarray(self.embedder.embed(new), dtype=np.float32)
            got /= np.maximum(np.linalg.norm(got, axis=1, keepdims=True), 1e-12)
            self._vectors.update(zip(new, got))
        return [self._vectors[t] for t in texts]

    def candidates(self, query: str, passage: Passage, must: str | None = None) -> list[str]:
        """The passage's title and sentences most likely to match ``query`` (optionally containing ``must``)."""
        sentences = clean_sentences(passage.text)
        title = " ".join(passage.article.title.split())
        if title and not instruction_like(title):
            sentences = [title, *sentences]
        if must:
            keys = set(word_keys(must))
            sentences = [s for s in sentences if keys <= set(word_keys(s))]
        wanted = set(content_keys(query))
        ranked = sorted(range(len(sentences)), key=lambda i: -len(wanted & set(content_keys(sentences[i]))))
        return [sentences[i] for i in ranked[: self.per_passage]]

    def best(self, query: str, passages: Sequence[Passage], must: str | None = None) -> list[Evidence]:
        """The best sentence of each passage for ``query``, best passage first."""
        per = [(p, self.candidates(query, p, must)) for p in passages]
        texts = [query, *(s for _, ss in per for s in ss)]
        vecs = dict(zip(texts, self.vectors(texts)))
        q = vecs[query]
        out = []
        for passage, sentences in per:
            if sentences:
                scored = [(float(q @ vecs[s]), s) for s in sentences]
                score, sentence = max(scored)
                out.append(Evidence(passage, sentence, score))
        return sorted(out, key=lambda e: -e.score)

    def ranked_sentences(self, queries: Sequence[str], passages: Sequence[Passage]) -> list[Evidence]:
        """Every body sentence of the passages, scored by its best similarity to any of ``queries``."""
        pool = [(p, s) for p in passages for s in dict.fromkeys(clean_sentences(p.text))]
        vecs = self.vectors([*queries, *(s for _, s in pool)])
        qs, ss = np.stack(vecs[: len(queries)]), vecs[len(queries):]
        # "Who …" wants a named person: sentences that name one rank ahead of "she said".
        bonus = WHO_BONUS if re.search(r"\bwho\b", " ".join(queries), re.I) else 0.0
        scored = [Evidence(p, s, float(np.max(qs @ v)) + (bonus if _names_person(s) else 0.0))
                  for (p, s), v in zip(pool, ss)]
        return sorted(scored, key=lambda e: -e.score)

    def trim(self, query: str, passage: Passage, keep: int = 3) -> str:
        """The passage cut to its ``keep`` sentences closest to the query, in their original order."""
        sentences = [" ".join(s.split()) for s in split_sentences(passage.text)]
        if len(sentences) <= keep:
            return redact(passage.text)
        cands = [s for s in self.candidates(query, passage) if s in sentences]
        vecs = self.vectors([query, *cands])
        top = {s for _, s in sorted(((float(vecs[0] @ v), s) for s, v in zip(cands, vecs[1:])), reverse=True)[:keep]}
        return " ".join(s for s in sentences if s in top)


# --- candidate answer entities ----------------------------------------------------------------------

_GENERIC = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today ceo inc co ltd llc us uk eu ai "
    "photo image getty images reuters ap credit read more".split())


_ORG_WORDS = frozenset(
    "reserve bank research inc corp corporation company club fc group association commission department "
    "university institute agency authority league federation council committee court fund capital partner "
    "network media new time avenue park street exchange market ministry government party board".split())
_PERSON_Q = re.compile(r"^\s*(?:who|whom|whose)\b|\bwhich (?:individual|person|people|executive|player|ceo|founder|"
                       r"athlete|entrepreneur|celebrity|singer|artist|coach|politician|leader)\b", re.IGNORECASE)
_ORG_Q = re.compile(r"\b(?:which|what) (?:company|institution|organi[sz]ation|firm|club|team|entity|agency|"
                    r"body|bank|brand|group|platform|country|city)\b", re.IGNORECASE)


WHO_BONUS = 0.08


def _names_person(sentence: str) -> bool:
    """A multi-word capitalised name (``Ursula von der Leyen``), not just a capitalised word."""
    return any(len(m.text.split()) >= 2 for m in find_names(sentence))


def wanted_type(question: str) -> str | None:
    """'person' for who-questions, 'organisation' for which-company/institution/club questions."""
    if _PERSON_Q.search(question):
        return "person"
    if _ORG_Q.search(question):
        return "organisation"
    return None


@dataclass
class Candidate:
    """A proper name found in the evidence with its support: how many queries' results and articles name it."""

    name: str
    key: tuple[str, ...]
    score: float = 0.0
    queries: set[int] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)
    surfaces: dict[str, int] = field(default_factory=dict)

    def display(self) -> str:
        return max(self.surfaces, key=lambda s: (len(s.split()), self.surfaces[s]))


def _names_in(passage: Passage) -> list[str]:
    out = []
    for sentence in [passage.article.title, *split_sentences(passage.text)]:
        for mention in find_names(" ".join(sentence.split())):
            name = re.sub(r"['’]s$", "", mention.text).strip(" -")
            if name:
                out.append(name)
    return out


def entity_candidates(question: str, result_lists: Sequence[Sequence[Passage]], exclude: Sequence[str] = (),
                      want: str | None = None) -> list[Candidate]:
    """Names in the retrieved passages that the question does not already contain, ranked by support.

    A name scores for each query whose results contain it (more for higher ranks) and for each distinct
    article naming it; a short name folds into a longer one that contains it ("Bankman-Fried" into
    "Sam Bankman-Fried").
    """
    asked = set(word_keys(question))
    excluded = [set(word_keys(x)) for x in exclude]
    found: dict[tuple[str, ...], Candidate] = {}
    for qi, passages in enumerate(result_lists):
        for rank, passage in enumerate(passages):
            weight = 1.0 / (1 + rank)
            for name in dict.fromkeys(_names_in(passage)):
                key = tuple(k for k in word_keys(name) if k)
                if not key or all(k in asked for k in key) or all(k in _GENERIC for k in key):
                    continue
                if any(set(key) <= ex for ex in excluded):
                    continue
                cand = found.setdefault(key, Candidate(name, key))
                cand.surfaces[name] = cand.surfaces.get(name, 0) + 1
                if qi not in cand.queries:
                    cand.queries.add(qi)
                    cand.score += weight
                cand.articles.add(passage.article.id)
    # Fold a short name into the best-supported longer name containing it ("Bankman-Fried" into
    # "Sam Bankman-Fried", not into a one-off "Bankman-Fried Alameda").
    for short in sorted(found, key=len):
        containers = [k for k in found if len(k) > len(short) and set(short) <= set(k)]
        if not containers or short not in found:
            continue
        long = max(containers, key=lambda k: (len(found[k].queries), len(found[k].articles)))
        if len(found[long].queries) * 2 < len(found[short].queries):
            continue  # the longer form is rare: keep the short name as the candidate
        target, source = found[long], found.pop(short)
        target.queries |= source.queries
        target.articles |= source.articles
        target.score += source.score
    ranked = list(found.values())
    for cand in ranked:
        cand.score += 0.25 * len(cand.articles) + 0.5 * len(cand.queries)
        org = bool(set(cand.key) & _ORG_WORDS)
        if want == "person":
            cand.score *= 1.3 if len(cand.key) >= 2 and not org else 0.6 if org else 1.0
        elif want == "organisation":
            cand.score *= 1.3 if org or len(cand.key) == 1 else 0.7
    return sorted(ranked, key=lambda c: -c.score)


def clauses(question: str, min_words: int = 3) -> list[str]:
    """The descriptive pieces of a long question, for retrieving each piece of evidence separately."""
    parts = re.split(r",|;|\band\b|\bwhile\b|\bwhich\b|\bwho\b|\bwhereas\b|\bas well as\b|\balso\b", question)
    return [" ".join(p.split()) for p in parts if len(content_keys(p)) >= min_words]
