"""Hybrid retrieval: dense (Chroma) and BM25 over the same chunks, fused, filtered and diversified.

Models and indexes load once per ``Retriever``; ``search_batch`` embeds all queries in one pass.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from ..core.errors import EmptyIndexError
from ..core.passage import Passage
from ..core.settings import Settings
from ..text.dates import day_stamp, stamp_day
from .filters import Filters, make_filters
from .fusion import diversify, fuse

if TYPE_CHECKING:
    from .analysis import QueryPlan
    from .features import Bag, FeatureParams


class Retriever:
    """Dense + BM25 retrieval over one index; build once, query many times."""

    def __init__(self, settings: Settings, store=None, embedder=None) -> None:
        from ..index.embedder import make_embedder
        from ..index.sidecar import BM25Index
        from ..index.store import Store

        self.settings = settings
        self.store = store or Store(settings)
        if not self.store.states():
            raise EmptyIndexError(f"the index at {settings.chroma_url or settings.index} has no articles yet",
                                  hint="run 'assistant ingest PATH' first")
        self.embedder = embedder or make_embedder(settings)
        self.bm25 = BM25Index(self.store, settings)
        self.generation = self.bm25.generation
        self._ts = np.array([m.get("published_ts", np.nan) for m in self.bm25.meta], dtype=float)
        self._sources = np.array([m.get("source", "") for m in self.bm25.meta], dtype=object)
        self._masks: dict[tuple, np.ndarray] = {}  # sub-queries of one question share their filters
        self.sources = sorted({m.get("source", "") for m in self.bm25.meta if m.get("source")})
        stamps = self._ts[np.isfinite(self._ts)]
        self.newest = stamp_day(float(stamps.max())) if stamps.size else None
        self.as_of: date | None = settings.retrieval.as_of
        """``--as-of``: search as on that day (nothing published after it; 'last week' counts back from it)."""
        self._ranker = None  # rerank.Ranker, loaded on the first planned question
        self._single: list = []  # [single.SingleRanker | None] once loaded
        self._lexicon = None  # rerank.Lexicon
        self._term_cache: dict[str, Bag] = {}  # chunk id -> its terms (rerank.features)
        self._rows: dict[int, Passage] = {}  # BM25 row -> its passage, parsed once
        self._row_of = {cid: row for row, cid in enumerate(self.bm25.ids)}
        self.stories = _story_book(self.store, settings)  # None: no two articles share a story

    @property
    def day(self) -> date | None:
        """The day relative time counts back from: ``--as-of``, else the newest indexed article's day."""
        return self.as_of or self.newest

    # ---- public API ------------------------------------------------------------------------
    def changed(self) -> bool:
        """Whether the index's articles changed since this retriever loaded them (another process ingested)."""
        from ..index.sidecar import generation

        self.store.states(refresh=True)
        return generation(self.store) != self.generation

    def reloaded(self) -> Retriever:
        """A retriever over the index as it stands now, sharing this one's embedder and a freshly opened store."""
        self.store.reopen()
        return Retriever(self.settings, store=self.store, embedder=self.embedder)

    def filters(self, since: str | None = None, until: str | None = None, sources: Sequence[str] = ()) -> Filters:
        return make_filters(since, until, sources, self.sources)

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: str | None = None, understand: bool | None = None, rerank: bool | None = None,
               plan: QueryPlan | None = None) -> list[Passage]:
        return self.search_batch([query], k, filters, mode, understand, rerank, [plan])[0]

    def search_batch(self, queries: Sequence[str], k: int | None = None, filters: Filters | None = None,
                     mode: str | None = None, understand: bool | None = None,
                     rerank: bool | None = None,
                     plans: Sequence[QueryPlan | None] | None = None) -> list[list[Passage]]:
        """Ranked passages per query; query vectors are computed in one batch. ``None`` = the settings' choice;
        ``plans`` are analyses the caller already made (``self.plan``), so a question is analysed once."""
        k = k or self.settings.retrieval.k
        mode = mode or self.settings.retrieval.mode
        filters = filters or Filters()
        if self.as_of is not None:
            filters = filters.merged(Filters(until=day_stamp(self.as_of, end=True)))
        understand = self.settings.retrieval.query_understanding if understand is None else understand
        rerank = self.settings.retrieval.rerank if rerank is None else rerank
        given = list(plans) if plans is not None else [None] * len(queries)
        plans = [(given[i] or self.plan(q)) if understand else None for i, q in enumerate(queries)]
        # Sub-queries run on BM25 in hybrid mode (one query embedding per question), so only dense mode embeds them.
        texts = list(dict.fromkeys(queries))
        if mode == "dense":
            texts = list(dict.fromkeys([*texts, *(s.text for p in plans if p for s in p.subqueries)]))
        vectors = dict(zip(texts, self.embedder.embed(texts))) if mode in ("dense", "hybrid") else {}
        wide = 2 * k if self.stories else k  # room for the copies one_per_story folds away
        lists = [self._planned(q, plan, vectors, wide, filters, mode, rerank) if plan and plan.subqueries
                 else self._one(q, vectors.get(q), wide, filters, mode, plan, rerank) for q, plan in zip(queries, plans)]
        if self.stories:
            from .stories import one_per_story

            lists = [one_per_story(found, self.stories.story_of)[:k] for found in lists]
        return lists

    def plan(self, question: str) -> QueryPlan:
        """Outlets, dates and sub-queries named in the question (see ``assistant.retrieve.analysis``)."""
        from .analysis import analyse

        return analyse(question, self.sources, self.day)

    # ---- internals -------------------------------------------------------------------------
    def ranked_lists(self, query: str, vector, filters: Filters, mode: str) -> list[tuple[float, list[Passage]]]:
        """(weight, ranking) pairs to fuse: the raw dense and BM25 candidate lists."""
        cfg = self.settings.retrieval
        lists: list[tuple[float, list[Passage]]] = []
        if mode in ("dense", "hybrid"):
            lists.append((cfg.dense_weight if mode == "hybrid" else 1.0, self.dense(vector, cfg.candidates, filters)))
        if mode in ("bm25", "hybrid"):
            lists.append((cfg.bm25_weight if mode == "hybrid" else 1.0, self.sparse(query, cfg.candidates, filters)))
        return lists

    def _fused(self, query: str, vector, filters: Filters, mode: str, named: set[str] = frozenset(),
               lists: list[tuple[float, list[Passage]]] | None = None) -> list[Passage]:
        fused = fuse(lists or self.ranked_lists(query, vector, filters, mode), self.settings.retrieval.rrf_k)
        if named:
            # Passages from outlets the question names rank ahead of equally relevant others.
            boost = 1.0 + self.settings.retrieval.named_outlet_boost
            for passage in fused:
                if passage.article.source in named:
                    passage.score *= boost
            fused.sort(key=lambda p: -p.score)
        return fused

    def _one(self, query: str, vector, k: int, filters: Filters, mode: str, plan=None,
             rerank: bool = False) -> list[Passage]:
        """A single-fact question: the learned single-fact ranker orders the fused ranking's leaders (hybrid
        mode, when a model ships), or the fused ranking stands, diversified."""
        cap = self.settings.retrieval.per_article_cap
        single = self.single_ranker if mode == "hybrid" and rerank else None
        if single is not None:
            passages, rows, fused = self.single_candidates(query, plan, vector, filters, single.params)
            return single.rank(passages, rows, k, cap, fused[len(passages):])
        named = plan.named_sources if plan else set()
        return diversify(self._fused(query, vector, filters, mode, named), k, cap)

    def single_candidates(self, query: str, plan, vector, filters: Filters, params):
        """A single-fact question's fused ranking, its leading ``params.depth`` passages and their
        single-fact features (``assistant.retrieve.single``): (passages, feature rows, fused ranking)."""
        from .single import single_features

        fused = self._fused(query, vector, filters, "hybrid", plan.named_sources if plan else set())
        day = self.day
        reference = float(day_stamp(day, end=True)) if day else float("nan")
        passages, rows = single_features(fused, lambda cid: float(self._ts[self._row_of[cid]]), reference, params)
        return passages, rows, fused

    @property
    def single_ranker(self):  # -> single.SingleRanker | None
        if not self._single:
            from .single import SingleRanker

            self._single.append(SingleRanker.load())
        return self._single[0]

    def _planned(self, query: str, plan, vectors: dict, k: int, filters: Filters, mode: str,
                 rerank: bool) -> list[Passage]:
        """A question with sub-queries: the learned ranker orders the candidates of every ranking (hybrid
        mode), or each sub-query's best passages get reserved places after the main ranking's first."""
        if mode == "hybrid" and rerank:
            passages, rows, groups = self.candidates(query, plan, vectors.get(query), filters, self.ranker.params)
            return self.ranker.rank(passages, rows, groups, k, self.settings.retrieval.reranked_per_article_cap)
        main = self._fused(query, vectors.get(query), filters, mode, plan.named_sources)
        subs = self._group_rankings(query, plan, main, filters, mode, vectors)
        reserved = self.settings.retrieval.reserved_per_subquery
        order_: list[Passage] = [main[0]] if main else []
        for depth in range(reserved):
            order_.extend(ranking[depth] for ranking in subs if depth < len(ranking))
        order_.extend(main[1:])
        seen: set[str] = set()
        unique = [p for p in order_ if not (p.chunk_id in seen or seen.add(p.chunk_id))]
        return diversify(unique, k, self.settings.retrieval.per_article_cap)

    def candidates(self, query: str, plan, vector, filters: Filters,
                   params: FeatureParams):  # -> (passages, feature rows, group rankings)
        """Every ranking's candidates for a planned question, their re-ranker features (computed with the
        ranker's ``params``, or those a training run is for), and the outlet and claim rankings whose best
        passages must keep a place (hybrid mode)."""
        from .features import Lexicon, Signals, features

        lists = self.ranked_lists(query, vector, filters, "hybrid")
        cosine = {p.chunk_id: p.score for p in lists[0][1]}
        main = self._fused(query, vector, filters, "hybrid", plan.named_sources, lists)
        signals = Signals(main=main, dense=lists[0][1], cosine=cosine, bm25=lists[1][1],
                          groups=self._group_rankings(query, plan, main, filters, "hybrid"),
                          question=query, claims=[s.text for s in plan.subqueries],
                          named_sources=plan.named_sources, date_windows=[m.value for m in plan.dates])
        if self._lexicon is None:
            article_chunks = Counter(m.get("article_id", "") for m in self.bm25.meta)
            self._lexicon = Lexicon(self.bm25.terms, self.bm25.idf, lambda cid: float(self._ts[self._row_of[cid]]),
                                    self._sentence_match, article_chunks.__getitem__)
        if len(self._term_cache) > 50_000:
            self._term_cache.clear()
        passages, rows = features(signals, self._lexicon, self._term_cache, params)
        return passages, rows, signals.groups

    def _sentence_match(self, texts: Sequence[str], chunk_ids: Sequence[str]) -> np.ndarray:
        sentences = self.bm25.sentences
        return sentences.best_match(sentences.embed(texts), [self._row_of[cid] for cid in chunk_ids])

    @property
    def ranker(self):  # -> rerank.Ranker
        if self._ranker is None:
            from .trees import Ranker

            self._ranker = Ranker.load()
        return self._ranker

    def _group_rankings(self, query: str, plan, main: list[Passage], filters: Filters, mode: str,
                        vectors: dict | None = None) -> list[list[Passage]]:
        """One ranking per outlet (and date window) or claim: its sub-queries' rankings fused together."""
        # "Which company, reported by X for A and by Y for B?": the passages for A and B share the unnamed
        # answer, which the main ranking's top passages name; each claim is also searched with it, so
        # evidence that names the answer but words the claim differently is found too.
        cfg = self.settings.retrieval
        bridge = bridge_names(query, main[:cfg.bridge_names_depth], cfg.bridge_names) if asks_for_entity(query) else []
        groups: dict[tuple, list[tuple[float, list[Passage]]]] = {}
        bridged: dict[tuple, list[tuple[float, list[Passage]]]] = {}
        # Sub-queries run on BM25 in hybrid mode (measured: better evidence coverage, and one query
        # embedding and one Chroma query per question instead of one per sub-query).
        sub_mode = "bm25" if mode == "hybrid" else mode
        vectors = vectors or {}
        for sub in plan.subqueries:
            key = (sub.label, tuple(sub.filters.sources), sub.filters.since, sub.filters.until)
            sub_filters = filters.merged(sub.filters)
            groups.setdefault(key, []).append((1.0, self._fused(sub.text, vectors.get(sub.text), sub_filters, sub_mode)))
            if bridge:
                text = f"{sub.text} {' '.join(bridge)}"
                bridged.setdefault(key, []).append((1.0, self._fused(text, None, sub_filters, "bm25")))
        return [fuse([*lists, *bridged.get(key, [])], cfg.rrf_k) for key, lists in groups.items()]

    def dense(self, vector, n: int, filters: Filters) -> list[Passage]:
        """Chroma's nearest chunks, with text and metadata from the BM25 rows: those are exactly the current
        chunks of the index as this retriever loaded it, so a chunk stored since (another process
        ingesting) is left out, as in every other path."""
        return [self._row_passage(self._row_of[cid], 1.0 - dist)
                for cid, dist in self.store.nearest(vector, n, filters.where()) if cid in self._row_of]

    def sparse(self, query: str, n: int, filters: Filters) -> list[Passage]:
        mask = None if filters.is_empty() else self._mask(filters)
        return [self._row_passage(row, score) for row, score in self.bm25.search(query, n, mask)]

    def _row_passage(self, row: int, score: float) -> Passage:
        """A fresh passage for a BM25 row (fusion sets its score); the row's parsed metadata is kept, since
        a multi-source question reads ~500 rows across its sub-queries."""
        template = self._rows.get(row)
        if template is None:
            template = self._rows[row] = Passage.from_metadata(self.bm25.ids[row], self.bm25.texts[row], self.bm25.meta[row])
        return Passage(template.chunk_id, template.text, template.article, score, template.position)

    def _mask(self, filters: Filters) -> np.ndarray:
        key = (filters.since, filters.until, tuple(sorted(filters.sources)))
        if key not in self._masks:
            if len(self._masks) > 256:
                self._masks.clear()
            self._masks[key] = self._build_mask(filters)
        return self._masks[key]

    def _build_mask(self, filters: Filters) -> np.ndarray:
        keep = np.ones(len(self.bm25), dtype=bool)
        with np.errstate(invalid="ignore"):
            if filters.since is not None:
                keep &= self._ts >= filters.since
            if filters.until is not None:
                keep &= self._ts <= filters.until
        if filters.sources:
            keep &= np.isin(self._sources, list(filters.sources))
        return keep.astype(np.int8)


_ENTITY_QUESTION = re.compile(r"^\s*(which|who|whose|whom|what)\b", re.I)
_NAME = re.compile(r"\b[A-Z][\w’'&.-]*(?:\s+(?:of\s+)?[A-Z][\w’'&.-]*)*")
_POSSESSIVE = re.compile(r"[’']s$")


def asks_for_entity(question: str) -> bool:
    """'Which company…', 'Who is…': the answer is a name the question does not contain."""
    return bool(_ENTITY_QUESTION.match(question))


def bridge_names(question: str, top: Sequence[Passage], n: int) -> list[str]:
    """Up to ``n`` names that recur in most of the ``top`` passages but are not in the question."""
    if n <= 0:
        return []
    asked = question.lower()
    counts: dict[str, int] = {}
    for passage in top:
        # In order of appearance (not a set): equal counts are then broken by the earlier mention, the
        # same way on every run, where a set's order changes with Python's string-hash seed.
        names = dict.fromkeys(_POSSESSIVE.sub("", m.group(0).strip(".")) for m in _NAME.finditer(passage.text))
        for name in names:
            if len(name) > 2 and name.lower() not in asked and name.lower() not in _COMMON_CAPITALISED:
                counts[name] = counts.get(name, 0) + 1
    ranked = sorted(counts, key=lambda name: (-counts[name], -len(name)))
    return [name for name in ranked[:n] if counts[name] * 2 > len(top)]


_COMMON_CAPITALISED = set("""the a an and but or in on at for to of it its this that these those he she they we i you
his her their our my mr mrs ms dr monday tuesday wednesday thursday friday saturday sunday january february
march april may june july august september october november december however also if when while as after
before there here what which who why how some many most more one two three""".split())


def _story_book(store, settings: Settings):  # -> index.story_book.StoryBook | None
    """The index's stories when retrieval.one_per_story is on and some story has several articles."""
    if not settings.retrieval.one_per_story:
        return None
    from ..index.story_book import StoryBook

    book = StoryBook.load(settings, store.identity)
    stories = [row["story"] for row in book.articles.values()]
    return book if len(set(stories)) < len(stories) else None
