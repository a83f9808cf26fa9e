"""A question becomes passages: question analysis, filters, dense + BM25 search, fusion, learned re-ranking.

See docs/ARCHITECTURE.md for what this package owns and may import."""
