"""Briefing notes: a short, structured note on a topic whose every line cites verified passages.

Pipeline (DESIGN.md): topic -> article-level retrieval -> per-article notes (map) -> sections (reduce)
-> verify -> render. The core, ``brief_articles``, takes a list of ``BriefArticle`` (each with its
passages), so the index path (``write_brief``) and the eval path (``articles_from_texts``) share it.

Every section is built from *candidate lines*: article sentences (always available, verbatim from a
passage) and, with a language model, the model's per-article notes and its bottom line. Each line cites
the passages it comes from and passes the same ``Verifier`` as answers; quotes must also occur verbatim
in the cited passage. Lines that fail are dropped (and listed in ``Brief.dropped``); a model line that
fails is replaced by an extractive one. The language model only phrases: quotes, actors, timeline,
differences and open questions are taken from the text, where the system can check them exactly.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np

from ..core.errors import InputError
from ..core.passage import ArticleRef, Passage
from ..grounding.citations import parse_citations, strip_markers
from ..text.mentions import MONTH_NAMES, find_dates, find_names
from ..text.sentences import split_sentences
from ..text.words import STOPWORDS, content_keys, fold

if TYPE_CHECKING:
    from ..core.settings import Settings
    from ..grounding.verifier import Verdict, Verifier
    from ..index.embedder import Embedder
    from ..llm import ChatModel
    from ..retrieve.filters import Filters
    from ..retrieve.retriever import Retriever

SECTIONS: tuple[tuple[str, str], ...] = (
    ("bottom_line", "Bottom line"),
    ("key_developments", "Key developments"),
    ("actors", "Actors"),
    ("quotes", "Notable quotes"),
    ("timeline", "Timeline"),
    ("differences", "Where sources differ"),
    ("open_questions", "Open questions / what to watch"),
)
PROSE_SECTIONS = ("bottom_line", "key_developments")
"""The sections whose text the eval scores with ROUGE."""

FROM_SETTINGS: Any = object()
"""Default for ``llm=``: build the model ``settings.llm.spec`` names."""

# Scoring weights (see ``_score``): lead sentences and central ones make the bottom line.
W_POSITION, W_CENTRAL, W_TOPIC = 2.0, 1.0, 1.5
LLM_BONUS = -0.1         # a verified model line must score clearly above the article sentence it restates:
                         # the article's own words are preferred (brief eval, local model: +0.3 -> R-1 0.394,
                         # 0 -> 0.407, -0.1 -> 0.408 = lead-3; chosen on that set)
REPEAT_COSINE = 0.85     # two lines this similar say the same thing: keep one
REPEAT_JACCARD = 0.6
PROSE_WORDS, PROSE_WORDS_PER_EXTRA_ARTICLE, PROSE_WORDS_MAX, PROSE_SLACK = 70, 25, 220, 0
MIN_WORDS, MAX_WORDS = 6, 60
MODEL_LEXICAL_SUPPORT = 0.75  # a model line must reuse this share of its content words from its passages
NOTE_TOKENS = 160        # most tokens a model reply (notes or a section) may take
MIN_DEVELOPMENTS = 1     # key developments of a one-article note (more articles: 2)
SHORT_BOTTOM_LINE = 30   # a two-sentence bottom line shorter than this (words) gets a third sentence

_JUNK = re.compile(
    r"(?i)\b(?:click here|scroll down|sign up|subscribe|newsletter|read more|follow (?:us|him|her|me) on|"
    r"all rights reserved|cookies?|advertisement|getty images|share this|email us)\b|https?://|www\.|@\w")
_FUTURE = re.compile(
    r"(?i)\b(?:will|would|expected to|expects?|plans? to|planned|set to|could|may|might|likely|unlikely|"
    r"unclear|uncertain|yet to|remains? to be seen|next (?:week|month|year)|later this|upcoming|pending|"
    r"awaits?|due to|intends? to|considering|exploring|whether)\b")
_DISPUTE = re.compile(
    r"(?i)\b(?:den(?:y|ies|ied)|disput(?:e|es|ed)|reject(?:s|ed)?|contradict(?:s|ed)?|disagree(?:s|d)?|"
    r"refut(?:e|es|ed)|countered|challeng(?:e|es|ed)|critici[sz](?:e|es|ed)|"
    r"but (?:critics|others|opponents))\b")
_SPEECH = (r"said|says|told(?: [a-z]+)?|added|explained|insisted|warned|wrote|stated|declared|argued|"
           r"announced|noted|claimed|admitted|confirmed|revealed")
_ACTION = re.compile(
    rf"\b(?:{_SPEECH}|has|have|had|will|would|is|was|were|are|plans?|agreed|signed|launched|"
    r"filed|sued|ruled|voted|approved|rejected|denied|testified|accused|met|offered|pitched|urged|called)\b")
_FIRST_PERSON = re.compile(r"\b(?:I|I['’](?:m|ve|d|ll)|me|my|we|we['’](?:re|ve|d|ll)|our|us|let['’]s|you|your)\b")
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday today yesterday".split())
_PRONOUNS = frozenset("he she they".split())
_NAME_RE = r"[A-Z][\w’'\-.]*(?:\s+(?:(?:of|de|der|von|van|al|bin|la|le|du|da|di)\s+)*[A-Z][\w’'\-.]*){0,3}"
_QUOTE_RES = (
    re.compile(r"“([^“”]{12,500})”"),
    re.compile(r'"([^"\n]{12,500})"'),
    re.compile(r"(?<![\w‘])‘((?:[^‘’\n]|’(?=\w))+?)’(?!\w)"),
    re.compile(r"(?:(?<=\s)|^)'((?:[^'\n]|'(?=\w))+?)'(?!\w)"),
)
_ATTR_AFTER = re.compile(
    rf"^[\s,]*(?:(?:{_SPEECH})\s+(?P<a>{_NAME_RE}|he|she|they)|(?P<b>{_NAME_RE}|he|she|they)\s+(?:{_SPEECH}))\b")
_ATTR_BEFORE = re.compile(
    rf"(?P<n>{_NAME_RE}|[Hh]e|[Ss]he|[Tt]hey)\s+(?:{_SPEECH})(?:\s+(?:that|on \w+|in a statement|reporters))?\s*[:,]?\s*$")


# ---- data model ------------------------------------------------------------------------------------

@dataclass
class BriefArticle:
    """One article as the briefing sees it: metadata plus its passages (chunks) in reading order."""

    id: str
    title: str
    source: str
    published_at: str
    url: str
    passages: list[Passage]
    score: float = 0.0

    @property
    def ref(self) -> ArticleRef:
        return ArticleRef(self.id, self.title, self.source, self.published_at, self.url)


@dataclass
class Bullet:
    """One line of the note: its text, the passages it cites, and the verifier's verdict."""

    text: str
    passages: list[Passage]
    label: str = ""
    """Actor name, quote speaker, timeline date or outlet, shown before the text."""
    origin: str = "extractive"
    """"extractive" (a sentence of the article) or "llm" (written by the model, then verified)."""
    supported: bool = False
    reasons: list[str] = field(default_factory=list)
    similarity: float = 0.0
    contrast: Bullet | None = None
    """For "where sources differ": the other source's line."""
    citations: list[int] = field(default_factory=list)
    """Passage numbers in the finished note (filled by numbering)."""

    def all_parts(self) -> list[Bullet]:
        return [self, *([self.contrast] if self.contrast else [])]


@dataclass
class Section:
    key: str
    title: str
    bullets: list[Bullet] = field(default_factory=list)
    note: str = ""
    """A system remark (not a claim about the world), e.g. why a section is empty."""


@dataclass
class Brief:
    """A finished briefing note; render with ``to_markdown``, ``to_html`` or ``to_json``."""

    topic: str
    title: str
    date_range: tuple[str | None, str | None]
    sections: list[Section]
    articles: list[BriefArticle]
    passages: list[Passage] = field(default_factory=list)
    """Cited passages in citation order: citation [n] is ``passages[n - 1]``."""
    problems: list[dict[str, str]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    llm: str = "none"
    prompt_versions: dict[str, str] = field(default_factory=dict)
    generated_at: str = ""
    stats: dict[str, Any] = field(default_factory=dict)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def bullets(self) -> list[Bullet]:
        return [b for s in self.sections for b in s.bullets]

    def prose(self, keys: Sequence[str] = PROSE_SECTIONS, sep: str = " ") -> str:
        """The text of the given sections without citation markers (what the eval scores)."""
        return sep.join(b.text for key in keys for b in self.section(key).bullets)

    def to_json(self) -> dict[str, Any]:
        from .render import brief_to_json

        return brief_to_json(self)

    def to_markdown(self) -> str:
        from .render import brief_to_markdown

        return brief_to_markdown(self)

    def to_html(self) -> str:
        from .render import brief_to_html

        return brief_to_html(self)


@dataclass
class _Line:
    """A candidate line before selection: a sentence of an article or a verified model note."""

    text: str
    article: int
    passages: list[Passage]
    position: int
    origin: str = "extractive"
    score: float = 0.0
    vec: np.ndarray | None = None
    verdict: Any = None
    raw: str = ""

    @property
    def words(self) -> int:
        return len(self.text.split())


# ---- public API ----------------------------------------------------------------------------------

def write_brief(topic: str, settings: Settings, *, retriever: Retriever | None = None, llm: Any = FROM_SETTINGS,
                since: str | None = None, until: str | None = None, sources: Sequence[str] = (),
                filters: Filters | None = None, n_articles: int = 8, progress: bool | None = None,
                verifier: Verifier | None = None) -> Brief:
    """Select the articles most relevant to ``topic`` in the index and write a briefing note on them."""
    if not topic or not topic.strip():
        raise InputError("give a topic to brief on")
    if n_articles < 1:
        raise InputError("--articles must be at least 1")
    from ..retrieve.retriever import Retriever

    retriever = retriever or Retriever(settings)
    filters = filters or retriever.filters(since, until, sources)
    articles, problems = select_articles(retriever, topic, filters, n_articles)
    if not articles:
        raise InputError(f"no articles in the index match '{topic}'" + ("" if filters.is_empty() else " with these filters"),
                         hint="check the filters with 'assistant index list'")
    brief = brief_articles(articles, settings, topic=topic, llm=llm, embedder=retriever.embedder,
                           verifier=verifier, progress=progress)
    brief.problems[:0] = problems
    if filters.since is not None or filters.until is not None:
        first, last = brief.date_range
        brief.date_range = (_day(filters.since) or first, _day(filters.until) or last)
    return brief


def select_articles(retriever: Retriever, topic: str, filters: Filters, n: int,
                    min_similarity: float = 0.3) -> tuple[list[BriefArticle], list[dict[str, str]]]:
    """Article-level ranking: the articles' mean-chunk vectors (dense) fused with the articles of the
    hybrid passage search (so exact names count too). An article takes part when its vector is at least
    ``min_similarity`` and half the best article's similarity to the topic (or it is the passage search's
    first article and not far off), so a narrow topic does not pull in unrelated articles."""
    store = retriever.store
    vector = retriever.embedder.embed([topic])[0]
    total = store.articles.count()
    dense: dict[str, float] = {}
    if total:
        got = store.articles.query(query_embeddings=[vector], n_results=min(total, max(3 * n, 20)),
                                   where=filters.where(), include=["distances"])
        dense = {aid: 1.0 - float(d) for aid, d in zip(got["ids"][0], got["distances"][0])}
    hybrid: list[str] = []
    for passage in retriever.search(topic, k=max(3 * n, 20), filters=filters):
        if passage.article.id not in hybrid:
            hybrid.append(passage.article.id)
    fused: dict[str, float] = defaultdict(float)
    for rank, aid in enumerate(sorted(dense, key=lambda a: -dense[a]), 1):
        fused[aid] += 1.0 / (60 + rank)
    for rank, aid in enumerate(hybrid, 1):
        fused[aid] += 1.0 / (60 + rank)
    floor = max(min_similarity, 0.5 * max(dense.values(), default=0.0))
    keep = [aid for aid in sorted(fused, key=lambda a: -fused[a])
            if dense.get(aid, 0.0) >= floor or (hybrid[:1] == [aid] and dense.get(aid, 0.0) >= floor - 0.1)][:n]
    articles: list[BriefArticle] = []
    problems: list[dict[str, str]] = []
    for aid in keep:
        try:
            article = load_article(store, aid)
        except Exception as exc:  # one unreadable article is reported, not fatal
            problems.append({"article_id": aid, "title": "", "reason": f"could not load: {exc}"})
            continue
        if article is None:
            problems.append({"article_id": aid, "title": "", "reason": "no current passages in the index"})
            continue
        article.score = fused[aid]
        articles.append(article)
    return articles, problems


def load_article(store, article_id: str) -> BriefArticle | None:
    """An indexed article with its current chunks as passages, in reading order."""
    passages = [Passage.from_metadata(cid, text, meta) for cid, text, meta in store.article_chunks(article_id)]
    if not passages:
        return None
    passages.sort(key=lambda p: p.position)
    ref = passages[0].article
    return BriefArticle(ref.id, ref.title, ref.source, ref.published_at, ref.url, passages)


def articles_from_texts(texts: Sequence[str], settings: Settings, *, titles: Sequence[str] = (),
                        source: str = "", published_at: str = "", url: str = "", chunker=None,
                        id_prefix: str = "doc") -> list[BriefArticle]:
    """Brief-ready articles from plain texts (the eval path: no index), chunked like ingest chunks."""
    if chunker is None:
        from ..ingest.chunking import Chunker

        chunker = Chunker.for_settings(settings)
    outlet = source or (urlsplit(url).hostname or "").removeprefix("www.")
    out: list[BriefArticle] = []
    for i, text in enumerate(texts):
        aid = f"{id_prefix}{i + 1}"
        title = titles[i] if i < len(titles) else ""
        ref = ArticleRef(aid, title, outlet, published_at, url)
        passages = [Passage(f"{aid}-{j:04d}", chunk, ref, position=j) for j, chunk in enumerate(chunker.split(text))]
        out.append(BriefArticle(aid, title, outlet, published_at, url, passages))
    return out


def brief_articles(articles: Sequence[BriefArticle], settings: Settings, *, topic: str | None = None,
                   llm: Any = FROM_SETTINGS, embedder: Embedder | None = None, verifier: Verifier | None = None,
                   progress: bool | None = None) -> Brief:
    """The map/reduce core: a briefing note on exactly these articles (most relevant first)."""
    started = time.monotonic()
    if llm is FROM_SETTINGS:
        from ..llm import make_llm

        llm = make_llm(settings)
    if embedder is None:
        from ..index.embedder import make_embedder

        embedder = make_embedder(settings)
    embedder = _MemoEmbedder(embedder)
    if verifier is None:
        from ..grounding.verifier import Verifier

        verifier = Verifier(embedder, settings.answer.support_threshold)  # shares the sentence vectors
    articles = [a for a in articles]
    if not articles:
        raise InputError("no articles to brief on")
    work = _Work(articles, topic, settings, llm, embedder, verifier)
    work.collect_sentences()
    if llm is not None:
        work.map_notes(progress)
    work.build_sections()
    brief = work.finish()
    brief.stats["seconds"] = round(time.monotonic() - started, 2)
    return brief


def lead_sentences(text: str, n: int = 3) -> str:
    """The lead-n baseline: the first ``n`` sentences of ``text``."""
    return " ".join(" ".join(s.split()) for s in split_sentences(text)[:n])


# ---- the pipeline --------------------------------------------------------------------------------

class _Work:
    """State of one briefing run: candidate lines, their vectors, chosen bullets, drops and problems."""

    def __init__(self, articles: list[BriefArticle], topic: str | None, settings: Settings, llm: ChatModel | None,
                 embedder: Embedder, verifier: Verifier) -> None:
        self.articles = articles
        self.topic = (topic or "").strip()
        self.settings = settings
        self.llm = llm
        self.embedder = embedder
        self.verifier = verifier
        self.lines: list[_Line] = []           # extractive sentences (prose candidates)
        self.all_sentences: list[_Line] = []   # every sentence, for quotes/timeline/actors
        self.notes: list[_Line] = []           # verified model notes
        self.sections: dict[str, Section] = {k: Section(k, t) for k, t in SECTIONS}
        self.used: list[_Line] = []
        self.dropped: list[dict[str, Any]] = []
        self.problems: list[dict[str, str]] = []
        self.prompt_versions: dict[str, str] = {}
        self.llm_stats = Counter()
        self.topic_vec: np.ndarray | None = None
        self.outlets = {a.source for a in articles if a.source}

    # -- candidates ---------------------------------------------------------------------------
    def collect_sentences(self) -> None:
        """Every sentence of every article, mapped to the passage that holds it; prose candidates scored."""
        for ai, article in enumerate(self.articles):
            position = 0
            seen: set[str] = set()
            for passage in article.passages:
                for sentence in split_sentences(passage.text):
                    text = " ".join(sentence.split())
                    if text in seen:  # chunk overlap repeats sentences
                        continue
                    seen.add(text)
                    self.all_sentences.append(_Line(_strip_dateline(text), ai, [passage], position, raw=sentence))
                    position += 1
            if position == 0:
                self.problems.append({"article_id": article.id, "title": article.title, "reason": "no usable text"})
        self.lines = [s for s in self.all_sentences if _prose_ok(s.text)]
        if not self.all_sentences:
            raise InputError("the selected articles contain no usable sentences")
        texts = [s.raw or s.text for s in self.all_sentences]
        if self.topic:
            texts.append(self.topic)
        vectors = _unit(np.asarray(self.embedder.embed(texts), dtype=np.float32))
        if self.topic:
            self.topic_vec = vectors[-1]
        for line, vec in zip(self.all_sentences, vectors):
            line.vec = vec
            if line.raw != line.text:
                self.embedder.cache.setdefault(line.text, self.embedder.cache[line.raw])
        self._score(self.all_sentences)

    def _score(self, lines: Sequence[_Line]) -> None:
        """score = W_POSITION/(1+position) + W_CENTRAL*centrality + W_TOPIC*topic similarity.

        Centrality mixes the article's own centroid and the centroid of all articles, so the lines that
        several sources share rise; on news, lead sentences are the strongest single signal. With a
        topic, relevance counts more and position less (the leads of several articles compete). The
        reporter's own first-person voice ("I have been wondering…") is not briefing material."""
        w_position, w_topic = (W_POSITION / 2, W_TOPIC * 2) if self.topic_vec is not None else (W_POSITION, 0.0)
        pool = [s.vec for s in self.all_sentences]
        overall = _unit(np.mean(pool, axis=0))
        per_article: dict[int, np.ndarray] = {}
        for ai in {s.article for s in self.all_sentences}:
            per_article[ai] = _unit(np.mean([s.vec for s in self.all_sentences if s.article == ai], axis=0))
        for line in lines:
            central = 0.5 * float(line.vec @ overall) + 0.5 * float(line.vec @ per_article[line.article])
            topical = float(line.vec @ self.topic_vec) if self.topic_vec is not None else 0.0
            line.score = w_position / (1 + line.position) + W_CENTRAL * central + w_topic * topical
            if line.text[:1] in "\"'“‘":
                line.score -= 0.3  # quotes have their own section
            if _FIRST_PERSON.search(_unquoted(line.text)):
                line.score -= 0.5

    # -- map: per-article notes from the model ------------------------------------------------
    def map_notes(self, progress: bool | None) -> None:
        from tqdm import tqdm

        from ..llm.prompting import format_passages, load_prompt

        prompt = load_prompt("brief_notes")
        self.prompt_versions["brief_notes"] = prompt.version
        show = sys.stderr.isatty() if progress is None else progress
        bar = tqdm(self.articles, desc="brief: notes", unit="article", disable=not show, file=sys.stderr,
                   dynamic_ncols=True)
        proposed: list[tuple[str, list[Passage], int]] = []
        for ai, article in enumerate(bar):
            chosen = self._budgeted_passages(ai, prompt)
            if not chosen:
                continue
            topic = self.topic or article.title or "the main news in these passages"
            messages = prompt.render(topic=topic, passages=format_passages(chosen))
            try:
                reply = self._call(messages, max_tokens=min(self.settings.llm.max_tokens, NOTE_TOKENS))
            except Exception as exc:  # one failing article is reported, not fatal
                self.problems.append({"article_id": article.id, "title": article.title,
                                      "reason": f"model notes failed ({_one_line(exc)}); used extractive sentences"})
                continue
            for sentence in parse_citations(reply, len(chosen)):
                if re.fullmatch(r"(?i)\W*nothing relevant\W*", sentence.text):
                    continue
                if not _well_formed(sentence.text, bool(sentence.citations)):
                    self.dropped.append({"section": "key_developments", "text": sentence.text, "origin": "llm",
                                         "reasons": ["not a complete sentence"]})
                    continue
                numbers = sentence.citations or ([] if sentence.invalid else _best_overlap(sentence.text, chosen))
                proposed.append((sentence.text, [chosen[n - 1] for n in numbers], ai))
        self.llm_stats["notes_proposed"] += len(proposed)
        kept = self._verify_model_lines(proposed, "key_developments")
        self.llm_stats["notes_kept"] += len(kept)
        self.notes = kept

    def _budgeted_passages(self, ai: int, prompt) -> list[Passage]:
        """The article's passages most relevant to the topic that fit the map prompt's token budget,
        in reading order (tiktoken counts the budget; the model's own count checks the result)."""
        from ..llm.prompting import format_passages

        article = self.articles[ai]
        budget = self._prompt_budget(prompt)
        order = list(range(len(article.passages)))
        if self.topic_vec is not None:
            index = {p.chunk_id: i for i, p in enumerate(article.passages)}
            best: dict[int, float] = defaultdict(lambda: -1.0)
            for line in self.all_sentences:
                if line.article == ai:
                    pi = index[line.passages[0].chunk_id]
                    best[pi] = max(best[pi], float(line.vec @ self.topic_vec))
            order.sort(key=lambda i: (-best[i], i))
        chosen: list[int] = []
        used = 0
        for i in order:
            cost = _tokens(format_passages([article.passages[i]]), self.llm)
            if chosen and used + cost > budget:
                continue
            if not chosen and cost > budget:  # a single over-long passage: cut it to the budget
                return [_truncate_passage(article.passages[i], budget, self.llm)]
            chosen.append(i)
            used += cost
        return [article.passages[i] for i in sorted(chosen)]

    def _prompt_budget(self, prompt) -> int:
        """Tokens left for passages: the context window minus the template, the reply and a margin."""
        template = "\n".join(m["content"] for m in prompt.render(**{v: "" for v in prompt.required}))
        window = self.settings.llm.context_window or getattr(self.llm, "context_window", 2048) or 2048
        reply = min(self.settings.llm.max_tokens, NOTE_TOKENS)
        room = int(0.85 * (window - reply)) - _tokens(template, self.llm) - 32
        return max(64, min(self.settings.answer.prompt_budget_tokens, room))

    def _call(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        """One model call, retried once when the error says a retry may help."""
        from ..core.errors import ModelError

        self.llm_stats["calls"] += 1
        kwargs = {"max_tokens": max_tokens, "temperature": self.settings.llm.temperature}
        try:
            return self.llm.complete(messages, **kwargs)
        except ModelError as exc:
            if not exc.retryable:
                raise
            return self.llm.complete(messages, **kwargs)

    def _verify_model_lines(self, proposed: Sequence[tuple[str, list[Passage], int]], section: str) -> list[_Line]:
        """Verified model lines as candidate lines; the rest go to ``dropped`` with the verifier's reasons."""
        from ..grounding.verifier import evidence_text, lexical_support

        proposed = [(_drop_meta(text), passages, ai) for text, passages, ai in proposed]
        for text, _, _ in proposed:
            if not (_well_formed(text, True) and _balanced(text)):
                self.dropped.append({"section": section, "text": text, "origin": "llm",
                                     "reasons": ["not a complete sentence"]})
        proposed = [row for row in proposed if _well_formed(row[0], True) and _balanced(row[0])]
        claims = [(text, [evidence_text(p) for p in passages]) for text, passages, _ in proposed]
        verdicts = self.verifier.check_many(claims) if claims else []
        kept: list[_Line] = []
        for (text, passages, ai), verdict in zip(proposed, verdicts):
            reasons = list(verdict.reasons) + _quote_problems(text, passages)
            support = lexical_support(text, [p.text for p in passages]) if passages else 0.0
            if passages and support < MODEL_LEXICAL_SUPPORT:
                reasons.append(f"only {support:.0%} of its content words are in the cited passages")
            if not passages:
                reasons = reasons or ["cites no passage"]
            if reasons or not verdict.supported:
                self.dropped.append({"section": section, "text": text, "origin": "llm",
                                     "reasons": reasons or ["not supported"]})
                continue
            kept.append(_Line(text, ai, passages, 0, "llm", verdict=verdict))
        if kept:
            vectors = _unit(np.asarray(self.embedder.embed([k.text for k in kept]), dtype=np.float32))
            for line, vec in zip(kept, vectors):
                line.vec = vec
                line.position = self._restated_position(line)
            self._score(kept)
            for line in kept:
                line.score += LLM_BONUS
        return kept

    def _restated_position(self, line: _Line) -> int:
        """A model line ranks by the place of the article sentence it restates (the most similar one in
        its cited passages), not by the start of the passage: otherwise any line citing the first
        passage would outrank the lead it paraphrases."""
        cited = {p.chunk_id for p in line.passages}
        same = [s for s in self.all_sentences if s.article == line.article and s.passages[0].chunk_id in cited]
        if not same:
            return 0
        return max(same, key=lambda s: float(s.vec @ line.vec)).position

    # -- reduce: sections -----------------------------------------------------------------------
    def build_sections(self) -> None:
        budget = min(PROSE_WORDS + PROSE_WORDS_PER_EXTRA_ARTICLE * (len(self.articles) - 1), PROSE_WORDS_MAX)
        pool = [*self._model_bottom_line(), *self.lines] if self.llm is not None else self.lines
        bottom = self._fill([], pool, want=2, words_cap=budget)
        if len(bottom) == 2 and sum(b.words for b in bottom) < SHORT_BOTTOM_LINE:
            bottom = self._fill(bottom, pool, want=3, words_cap=budget)
        if len(self.articles) == 1:
            bottom.sort(key=lambda line: line.position)  # one article: keep its order
        self._emit("bottom_line", bottom)
        used_words = sum(b.words for b in bottom)
        pool = [*self.notes, *self.lines]
        minimum = MIN_DEVELOPMENTS if len(self.articles) == 1 else 2
        developments: list[_Line] = []
        while True:
            room = budget + PROSE_SLACK - used_words
            fits = [c for c in pool if c.words <= room] if used_words < budget else []
            if not fits and len(developments) < minimum:
                fits = [c for c in pool if c.words <= 40]
            pick = self._mmr(fits, developments)
            if pick is None or len(developments) >= 8:
                break
            developments.append(pick)
            self.used.append(pick)
            used_words += pick.words
        self._emit("key_developments", developments)
        self._actors()
        self._quotes()
        self._timeline()
        self._differences()
        self._open_questions()

    def _model_bottom_line(self) -> list[_Line]:
        """Reduce step: the model writes the bottom line from the verified notes (or the best sentences
        when it wrote none), within the prompt's token budget. Its verified sentences are candidates that
        compete with the articles' own sentences on the same score, not lines placed first."""
        from ..llm.prompting import load_prompt

        prompt = load_prompt("brief_section")
        self.prompt_versions["brief_section"] = prompt.version
        sources = sorted(self.notes, key=lambda n: -n.score) or sorted(self.lines, key=lambda n: -n.score)[:12]
        room = self._prompt_budget(prompt)
        numbered: list[_Line] = []
        rows: list[str] = []
        used = 0
        for line in sources:
            row = f"[{len(rows) + 1}] {line.text}"
            cost = _tokens(row, self.llm) + 1
            if rows and used + cost > room:
                break
            rows.append(row)
            numbered.append(line)
            used += cost
        if not rows:
            return []
        topic = self.topic or self.articles[0].title or "the news in these notes"
        messages = prompt.render(topic=topic, section="Bottom line: the two or three most important facts", notes="\n".join(rows))
        try:
            reply = self._call(messages, max_tokens=min(self.settings.llm.max_tokens, NOTE_TOKENS))
        except Exception as exc:
            self.problems.append({"article_id": "", "title": "bottom line",
                                  "reason": f"model failed ({_one_line(exc)}); used extractive sentences"})
            return []
        proposed = []
        for sentence in parse_citations(reply, len(numbered)):
            if not _well_formed(sentence.text, bool(sentence.citations)):
                self.dropped.append({"section": "bottom_line", "text": sentence.text, "origin": "llm",
                                     "reasons": ["not a complete sentence"]})
                continue
            cited = [numbered[n - 1] for n in sentence.citations]
            passages = list({p.chunk_id: p for line in cited for p in line.passages}.values())
            proposed.append((sentence.text, passages, cited[0].article if cited else 0))
        self.llm_stats["bottom_proposed"] += len(proposed)
        kept = self._verify_model_lines(proposed, "bottom_line")
        self.llm_stats["bottom_kept"] += len(kept)
        return kept

    def _fill(self, chosen: list[_Line], pool: Sequence[_Line], want: int, words_cap: int) -> list[_Line]:
        chosen = list(chosen)
        while len(chosen) < want:
            room = words_cap - sum(c.words for c in chosen) if chosen else MAX_WORDS
            pick = self._mmr([c for c in pool if c.words <= max(room, 25)], chosen)
            if pick is None:
                break
            chosen.append(pick)
            self.used.append(pick)
        return chosen

    def _mmr(self, pool: Sequence[_Line], chosen: Sequence[_Line], lam: float = 0.8) -> _Line | None:
        """The best line that repeats nothing already in the note, rewarding new outlets."""
        outlets = Counter(self.articles[c.article].source for c in chosen)
        best, best_value = None, -1e9
        for line in pool:
            if self._repeats(line, self.used) or self._repeats(line, chosen):
                continue
            redundancy = max((float(line.vec @ c.vec) for c in chosen), default=0.0)
            value = lam * line.score - (1 - lam) * redundancy
            if len(self.outlets) > 1:
                value -= 0.1 * outlets[self.articles[line.article].source]
            if value > best_value:
                best, best_value = line, value
        return best

    def _repeats(self, line: _Line, others: Sequence[_Line]) -> bool:
        keys = set(content_keys(line.text))
        for other in others:
            if other is line or other.text == line.text:
                return True
            if float(line.vec @ other.vec) >= REPEAT_COSINE:
                return True
            okeys = set(content_keys(other.text))
            if keys and okeys and len(keys & okeys) / len(keys | okeys) >= REPEAT_JACCARD:
                return True
        return False

    def _emit(self, key: str, lines: Sequence[_Line], labels: Sequence[str] | None = None) -> None:
        for i, line in enumerate(lines):
            bullet = Bullet(line.text, list(line.passages), label=labels[i] if labels else "", origin=line.origin)
            if line.verdict is not None:
                _apply(bullet, line.verdict)
            self.sections[key].bullets.append(bullet)

    def _take(self, key: str, candidates: Sequence[tuple[_Line, str]], limit: int) -> None:
        """Up to ``limit`` (line, label) candidates that repeat nothing already in the note."""
        taken: list[tuple[_Line, str]] = []
        labels: set[str] = set()
        for line, label in candidates:
            if len(taken) == limit:
                break
            if label and label.lower() in labels or self._repeats(line, self.used):
                continue
            taken.append((line, label))
            labels.add(label.lower())
            self.used.append(line)
        self._emit(key, [t[0] for t in taken], [t[1] for t in taken])

    # -- actors, quotes, timeline, differences, open questions ---------------------------------
    def _actors(self, limit: int = 4) -> None:
        """Named people and organisations that say or do something, most active first, each with the
        best line where they act."""
        mentions: Counter[str] = Counter()
        acting: Counter[str] = Counter()
        forms: dict[str, Counter[str]] = defaultdict(Counter)
        lines_for: dict[str, list[_Line]] = defaultdict(list)
        excluded = {fold(o).lower() for o in self.outlets}
        for line in self.lines:
            for name in find_names(line.text):
                words = name.text.split()
                key = _name_key(name.text)
                if not key or key in _WEEKDAYS or key in STOPWORDS or fold(name.text).lower() in excluded:
                    continue
                if len(words) == 1 and not name.is_acronym and len(words[0]) < 3:
                    continue
                mentions[key] += 1
                forms[key][name.text] += 1
                after = line.text[name.end:name.end + 40]
                if _ACTION.match(after.strip()) or re.search(rf"(?:{_SPEECH})\s+$", line.text[:name.start]):
                    acting[key] += 1
                    lines_for[key].insert(0, line)
                else:
                    lines_for[key].append(line)
        ranked = sorted((k for k in mentions if acting[k] or mentions[k] >= 2),
                        key=lambda k: (-acting[k], -mentions[k], k))
        candidates = []
        for key in ranked:
            actor_lines = lines_for[key]
            acting_lines = [ln for ln in actor_lines[:acting[key]]] or actor_lines
            line = max(acting_lines, key=lambda ln: ln.score)
            label = max((f for f in forms[key] if f in line.text), key=len, default=max(forms[key], key=len))
            candidates.append((line, label))
        self._take("actors", candidates, limit)
        if not self.sections["actors"].bullets:
            self.sections["actors"].note = "No named actors stand out in these articles."

    def _quotes(self, limit: int = 3) -> None:
        """Direct quotes with a named speaker, exactly as written in the passage that holds them."""
        found: list[tuple[_Line, str, float]] = []
        for ai, article in enumerate(self.articles):
            for passage in article.passages:
                last_speaker = ""  # a pronoun is resolved within the passage the quote is cited from
                text = passage.text
                spans = sorted({(m.start(), m.end(), m.group(1)) for pattern in _QUOTE_RES for m in pattern.finditer(text)})
                for start, end, inner in spans:
                    quote = " ".join(inner.split()).rstrip(" ,;:")
                    if not 5 <= len(quote.split()) <= 60:
                        continue
                    speaker = _speaker(text, start, end, last_speaker)
                    if not speaker:
                        continue
                    last_speaker = speaker
                    score = self._sentence_score(ai, quote)
                    line = _Line(f"{speaker}: “{quote}”", ai, [passage], 0)
                    found.append((line, speaker, score))
        found.sort(key=lambda item: -item[2])
        if found:
            vectors = _unit(np.asarray(self.embedder.embed([f[0].text for f in found[:3 * limit]]), dtype=np.float32))
            for item, vec in zip(found, vectors):
                item[0].vec = vec
        chosen: list[tuple[_Line, str]] = []
        speakers: Counter[str] = Counter()
        for line, speaker, _ in found[:3 * limit]:
            if speakers[speaker] >= 2:
                continue
            speakers[speaker] += 1
            chosen.append((line, ""))
        self._take("quotes", chosen, limit)
        if not self.sections["quotes"].bullets:
            self.sections["quotes"].note = "No attributed direct quotes found."

    def _sentence_score(self, ai: int, fragment: str) -> float:
        key = fold(fragment)[:60]
        for line in self.all_sentences:
            if line.article == ai and key[:40] in fold(line.text):
                return line.score
        return 0.0

    def _timeline(self, limit: int = 5) -> None:
        """Dated events: sentences that name a date with its year (a year is never guessed: "June" in
        an October article may be last June), then each article's best line under its publication
        date; in date order."""
        events: list[tuple[tuple[int, int, int], str, _Line]] = []
        for line in sorted(self.lines, key=lambda ln: -ln.score):
            dates = [d for d in find_dates(line.text) if d.year]
            if not dates:
                continue
            date = dates[0]
            events.append(((date.year, date.month, date.day or 0), _date_label(date.year, date.month, date.day), line))
        for ai, article in enumerate(self.articles):
            day = article.published_at[:10]
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                first = [ln for ln in self.lines if ln.article == ai and not self._repeats(ln, self.used)]
                if first:
                    y, m, d = (int(x) for x in day.split("-"))
                    lead = max(first, key=lambda ln: ln.score)
                    events.append(((y, m, d), f"{day} ({article.source or 'published'})", lead))
        taken: list[tuple[tuple[int, int, int], str, _Line]] = []
        for event in events:
            if len(taken) == limit:
                break
            if any(event[2] is t[2] for t in taken) or self._repeats(event[2], self.used):
                continue
            taken.append(event)
            self.used.append(event[2])
        taken.sort(key=lambda e: e[0])
        self._emit("timeline", [t[2] for t in taken], [t[1] for t in taken])
        if not taken:
            dated = any(find_dates(line.text) for line in self.used)
            self.sections["timeline"].note = ("No further dated events (the dates are in the lines above)." if dated
                                              else "The articles give no dates for these events.")

    def _differences(self, limit: int = 3) -> None:
        """Lines where sources disagree: similar statements from different outlets with different
        numbers, names or dates, then statements of denial or dispute."""
        from ..grounding.verifier import missing_facts

        pairs: list[tuple[float, _Line, _Line]] = []
        if len(self.outlets) > 1:
            lines = [ln for ln in self.lines if re.search(r"\d|[A-Z]", ln.text[1:])]
            for i, a in enumerate(lines):
                for b in lines[i + 1:]:
                    if self.articles[a.article].source == self.articles[b.article].source:
                        continue
                    sim = float(a.vec @ b.vec)
                    if sim < 0.75 or sim >= 0.97:
                        continue
                    names_a = {_name_key(n.text) for n in find_names(a.text)}
                    if not names_a & {_name_key(n.text) for n in find_names(b.text)}:
                        continue  # not about the same actor
                    gaps = [r for r in missing_facts(a.text, [b.text]) if r.startswith(("number", "date", "year"))]
                    if gaps:
                        pairs.append((sim, a, b))
        pairs.sort(key=lambda p: -p[0])
        count = 0
        for _, a, b in pairs:
            if count == limit:
                break
            if self._repeats(a, self.used) or self._repeats(b, self.used):
                continue
            bullet = Bullet(a.text, list(a.passages), label=self.articles[a.article].source)
            bullet.contrast = Bullet(b.text, list(b.passages), label=self.articles[b.article].source)
            self.sections["differences"].bullets.append(bullet)
            self.used.extend([a, b])
            count += 1
        disputes = [(ln, self.articles[ln.article].source) for ln in sorted(self.lines, key=lambda x: -x.score)
                    if _DISPUTE.search(ln.text)]
        self._take("differences", disputes, limit - count)
        if not self.sections["differences"].bullets:
            n, m = len(self.articles), len(self.outlets)
            self.sections["differences"].note = (
                f"No disagreement found among the {n} articles from {m} outlets." if m > 1 else
                "Only one article: no cross-source comparison." if n == 1 else
                f"All {n} articles come from one outlet"
                f"{' (' + next(iter(self.outlets)) + ')' if self.outlets else ''}: no cross-source comparison.")

    def _open_questions(self, limit: int = 3) -> None:
        """What to watch: questions the articles raise and statements about what may or will happen."""
        pool = [s for s in self.all_sentences if MIN_WORDS <= s.words <= MAX_WORDS and not _JUNK.search(s.text)
                and (s.text.rstrip("\"'”’ ").endswith("?") or _FUTURE.search(s.text))]
        pool.sort(key=lambda ln: -ln.score)
        self._take("open_questions", [(ln, "") for ln in pool], limit)
        if not self.sections["open_questions"].bullets:
            self.sections["open_questions"].note = "The articles raise no explicit open questions."

    # -- verification, numbering ----------------------------------------------------------------
    def finish(self) -> Brief:
        """Verify every extractive line (model lines were verified when made), drop the unsupported,
        number the cited passages in reading order and assemble the Brief."""
        from ..grounding.verifier import evidence_text

        pending = [part for s in self.sections.values() for b in s.bullets for part in b.all_parts()
                   if part.origin == "extractive"]
        verdicts = self.verifier.check_many([(p.text, [evidence_text(x) for x in p.passages]) for p in pending])
        for part, verdict in zip(pending, verdicts):
            _apply(part, verdict)
            part.reasons += _quote_problems(part.text, part.passages)
            part.supported = part.supported and not part.reasons
        for section in self.sections.values():
            kept = []
            for bullet in section.bullets:
                if all(p.supported for p in bullet.all_parts()):
                    kept.append(bullet)
                else:
                    self.dropped.append({"section": section.key, "text": bullet.text, "origin": bullet.origin,
                                         "reasons": [r for p in bullet.all_parts() for r in p.reasons]})
            section.bullets = kept
        numbering: dict[str, int] = {}
        passages: list[Passage] = []
        for section in self.sections.values():
            for bullet in section.bullets:
                for part in bullet.all_parts():
                    part.citations = []
                    for passage in part.passages:
                        if passage.chunk_id not in numbering:
                            passages.append(passage)
                            numbering[passage.chunk_id] = len(passages)
                        part.citations.append(numbering[passage.chunk_id])
        dates = sorted(a.published_at[:10] for a in self.articles if a.published_at)
        bullets = [b for s in self.sections.values() for b in s.bullets]
        stats = {
            "articles": len(self.articles), "outlets": len(self.outlets), "bullets": len(bullets),
            "verified_bullets": sum(all(p.supported and p.citations for p in b.all_parts()) for b in bullets),
            "dropped": len(self.dropped), "llm_calls": self.llm_stats["calls"],
            "llm_lines_proposed": self.llm_stats["notes_proposed"] + self.llm_stats["bottom_proposed"],
            "llm_lines_kept": self.llm_stats["notes_kept"] + self.llm_stats["bottom_kept"],
            "llm_lines_used": sum(b.origin == "llm" for b in bullets),
        }
        topic = self.topic or self.articles[0].title or _first_words(self.lines[0].text if self.lines else "", 10)
        return Brief(
            topic=topic, title=f"Briefing: {topic}", date_range=(dates[0] if dates else None, dates[-1] if dates else None),
            sections=list(self.sections.values()), articles=self.articles, passages=passages, problems=self.problems,
            dropped=self.dropped, llm=getattr(self.llm, "name", "none") if self.llm is not None else "none",
            prompt_versions=self.prompt_versions, stats=stats,
            generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )


# ---- helpers -------------------------------------------------------------------------------------

class _MemoEmbedder:
    """Remembers vectors for one briefing run: the verifier's windows are mostly the sentences already
    embedded for ranking, so sharing them halves the embedding work (the slowest part on a CPU)."""

    def __init__(self, inner) -> None:
        self.inner = getattr(inner, "inner", inner)
        self.name = getattr(self.inner, "name", "embedder")
        self.cache: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> list[np.ndarray]:
        new = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if new:
            for text, vec in zip(new, self.inner.embed(new)):
                self.cache[text] = np.asarray(vec, dtype=np.float32)
        return [self.cache[t] for t in texts]


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


_DATELINE = re.compile(r"^(?:\((?:CNN|Reuters|AP|AFP)\)\s*(?:--|—|–|-)\s*|"
                       r"[A-Z][A-Z.'’ -]{2,40}(?:,\s*[A-Z][\w.]*)?(?:\s*\([\w .]{2,30}\))?\s*(?::|--|—|–)\s+)")


def _strip_dateline(text: str) -> str:
    """"NEW DELHI: The EU…" / "(CNN) -- The EU…" -> "The EU…": the place stamp is not part of the claim."""
    stripped = _DATELINE.sub("", text, count=1)
    return stripped if stripped != text and len(stripped.split()) >= MIN_WORDS and stripped[:1].isupper() else text


def _unquoted(text: str) -> str:
    """The text outside quotation marks (the reporter's voice)."""
    for pattern in _QUOTE_RES:
        text = pattern.sub(" ", text)
    return text


def _balanced(text: str) -> bool:
    """False for a fragment of a quotation cut by sentence splitting (unmatched quote marks). Single
    quotes double as apostrophes, so only a quote opened at the start and never closed, or closed at
    the end and never opened, counts."""
    if text.count("“") != text.count("”") or text.count('"') % 2:
        return False
    text = text.strip()
    opened = re.match(r"['‘]\w", text) is not None
    closed = re.search(r"[\w.,!?]['’]$", text) is not None
    if opened and not closed and not re.search(r"\w[.,!?]?['’](?!\w)", text[1:]):
        return False
    return not (closed and not opened and not re.search(r"(?:^|\s)['‘]\w", text[:-1]))


def _prose_ok(text: str) -> bool:
    """A sentence fit for the bottom line / key developments: a full statement, not boilerplate."""
    words = len(text.split())
    if not MIN_WORDS <= words <= MAX_WORDS or _JUNK.search(text) or not _balanced(text):
        return False
    if not (text[:1].isupper() or text[:1].isdigit() or text[:1] in "\"'“‘"):
        return False  # a fragment (reported speech stays: what officials said is news; see the quote penalty)
    return not text.rstrip("\"'”’ ").endswith(("?", ":"))


def _apply(bullet: Bullet, verdict: Verdict) -> None:
    bullet.supported = bool(verdict.supported)
    bullet.reasons = list(verdict.reasons)
    bullet.similarity = float(verdict.similarity)


def _squash(text: str) -> str:
    return " ".join(fold(text).split())


def _quote_problems(text: str, passages: Sequence[Passage]) -> list[str]:
    """Quotes must occur verbatim (up to quote-mark style and spacing) in a cited passage."""
    from ..text.mentions import find_quotes

    evidence = [_squash(p.text) for p in passages]
    problems = []
    for quote in find_quotes(text):
        wanted = _squash(quote.text).rstrip(" ,;:")
        if not any(wanted in e for e in evidence):
            problems.append(f"quote \"{quote.text}\" is not verbatim in the cited article")
    return problems


def _speaker(text: str, start: int, end: int, last_speaker: str) -> str:
    """Who said the quote at text[start:end]: "..., said X" / "X said: ..." around it; a pronoun
    resolves to the last speaker or the last full name before it in the passage."""
    after = _ATTR_AFTER.match(text[end:end + 80])
    name = (after.group("a") or after.group("b")) if after else None
    if not name:
        before = _ATTR_BEFORE.search(text[max(0, start - 120):start])
        name = before.group("n") if before else None
    if not name:
        return ""
    if name.lower() in _PRONOUNS:
        if last_speaker:
            return last_speaker
        names = [n.text for n in find_names(text[max(0, start - 400):start]) if len(n.text.split()) >= 2]
        return names[-1] if names else ""
    name = name.strip(" .,")
    if _name_key(name) in _WEEKDAYS or name.lower() in STOPWORDS:
        return ""
    return name


def _name_key(name: str) -> str:
    words = [w for w in re.sub(r"['’]s$", "", name).split() if w]
    return fold(words[-1]).lower().strip(".,") if words else ""


_META = re.compile(r"^(?:(?:the|this) (?:main )?(?:news|article|passages?|story|notes?)(?: in (?:these|the) (?:passages|notes))? "
                   r"(?:is|are|says?|reports?|shows?|states?)(?: that)?|according to (?:the|these) (?:passages?|notes?|article)),?\s+",
                   re.IGNORECASE)


def _drop_meta(text: str) -> str:
    """"The main news in these passages is that X" -> "X": the claim without the talk about the text."""
    stripped = _META.sub("", text, count=1)
    return stripped[:1].upper() + stripped[1:] if stripped != text and stripped else text


def _well_formed(text: str, cited: bool) -> bool:
    """A model line worth verifying: a full sentence of at least MIN_WORDS words (a reply cut off at the
    token limit ends mid-sentence, without a full stop or a citation)."""
    words = text.split()
    if len(words) < MIN_WORDS or words[0].lower().strip(",:") in ("about", "regarding", "re", "topic", "notes"):
        return False
    return cited or bool(re.search(r"[.!?][\"'”’)]*$", text.strip()))


def _best_overlap(text: str, passages: Sequence[Passage]) -> list[int]:
    """For a model line that names no passage: the number of the prompt passage sharing most of its
    content words, if that is at least half of them (the verifier still checks the line against it)."""
    claimed = set(content_keys(text))
    if not claimed:
        return []
    shares = [len(claimed & set(content_keys(p.text))) / len(claimed) for p in passages]
    best = max(range(len(passages)), key=lambda i: shares[i], default=None)
    return [best + 1] if best is not None and shares[best] >= 0.5 else []


def _tokens(text: str, llm: Any) -> int:
    """Token count for budgets: tiktoken for the model's family (an approximation for local models,
    hence the margin in ``_prompt_budget``)."""
    from ..llm.base import tiktoken_encoding

    return len(tiktoken_encoding(getattr(llm, "name", "") or "").encode(text, disallowed_special=()))


def _truncate_passage(passage: Passage, budget: int, llm: Any) -> Passage:
    from ..llm.base import tiktoken_encoding

    enc = tiktoken_encoding(getattr(llm, "name", "") or "")
    text = enc.decode(enc.encode(passage.text, disallowed_special=())[: max(16, budget - 24)])
    return Passage(passage.chunk_id, text, passage.article, passage.score, passage.position, dict(passage.extras))


def _date_label(year: int | None, month: int, day: int | None) -> str:
    if year and day:
        return f"{year:04d}-{month:02d}-{day:02d}"
    parts = [MONTH_NAMES[month - 1]] + ([str(day)] if day else [])
    return " ".join(parts) + (f" {year}" if year else "")


def _day(stamp: int | None) -> str | None:
    if stamp is None:
        return None
    return datetime.fromtimestamp(stamp, tz=timezone.utc).date().isoformat()


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _first_words(text: str, n: int) -> str:
    words = strip_markers(text).split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


__all__ = [
    "Brief", "BriefArticle", "Bullet", "Section", "SECTIONS", "PROSE_SECTIONS", "FROM_SETTINGS",
    "write_brief", "brief_articles", "articles_from_texts", "select_articles", "load_article", "lead_sentences",
]
