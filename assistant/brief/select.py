"""The articles a note is written on: chosen from the index for a topic, or made from plain texts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..core.passage import ArticleRef, Passage
from ..retrieve.fusion import fuse
from ..text.markers import strip_citation_marks
from .model import BriefArticle

if TYPE_CHECKING:
    from ..core.settings import Settings
    from ..retrieve.filters import Filters
    from ..retrieve.retriever import Retriever


def select_articles(retriever: Retriever, topic: str, filters: Filters, n: int,
                    settings: Settings) -> tuple[list[BriefArticle], list[dict[str, str]]]:
    """Article-level ranking: the articles' mean-chunk vectors (dense) fused with the articles of the
    hybrid passage search (so exact names count too). An article takes part when its vector is at least
    ``brief.min_article_similarity`` and half the best article's similarity to the topic (or it is the
    passage search's first article and not far off), so a narrow topic does not pull in unrelated articles."""
    wanted = max(settings.brief.search_per_article * n, settings.brief.search_min)
    dense = _dense_similarities(retriever, topic, filters, wanted)
    hybrid: list[str] = []
    for passage in retriever.search(topic, k=wanted, filters=filters):
        if passage.article.id not in hybrid:
            hybrid.append(passage.article.id)
    rankings = [sorted(dense, key=lambda a: -dense[a]), hybrid]
    fused = {p.chunk_id: p.score for p in fuse([(1.0, _stand_ins(ids)) for ids in rankings], settings.retrieval.rrf_k)}
    cfg = settings.brief
    floor = max(cfg.min_article_similarity, cfg.relative_similarity * max(dense.values(), default=0.0))
    keep = [aid for aid in fused if dense.get(aid, 0.0) >= floor
            or (hybrid[:1] == [aid] and dense.get(aid, 0.0) >= floor - cfg.lead_article_margin)][:n]
    articles: list[BriefArticle] = []
    problems: list[dict[str, str]] = []
    for aid in keep:
        try:
            article = load_article(retriever.store, aid)
        except Exception as exc:  # one unreadable article is reported, not fatal
            problems.append({"article_id": aid, "title": "", "reason": f"could not load: {exc}"})
            continue
        if article is None:
            problems.append({"article_id": aid, "title": "", "reason": "no current passages in the index"})
            continue
        article.score = fused[aid]
        articles.append(article)
    return articles, problems


def _dense_similarities(retriever: Retriever, topic: str, filters: Filters, wanted: int) -> dict[str, float]:
    """Cosine similarity of the topic to the nearest articles' mean-chunk vectors, nearest first."""
    store = retriever.store
    total = store.articles.count()
    if not total:
        return {}
    vector = retriever.embedder.embed([topic])[0]
    got = store.articles.query(query_embeddings=[vector], n_results=min(total, wanted),
                               where=filters.where(), include=["distances"])
    return {aid: 1.0 - float(d) for aid, d in zip(got["ids"][0], got["distances"][0])}


def _stand_ins(article_ids: Sequence[str]) -> list[Passage]:
    """One empty passage per article, keyed by the article id, so ``fuse`` (which fuses passages by
    chunk id) ranks articles."""
    return [Passage(aid, "", ArticleRef(aid, "", "", "", "")) for aid in article_ids]


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
        passages = [Passage(f"{aid}-{j:04d}", chunk, ref, position=j) for j, chunk in enumerate(chunker.split(strip_citation_marks(text)))]
        out.append(BriefArticle(aid, title, outlet, published_at, url, passages))
    return out
