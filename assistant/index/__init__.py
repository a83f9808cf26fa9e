"""Where chunks live: the Chroma store, the BM25 sidecar, sentence vectors, the embedder, index info.

See docs/ARCHITECTURE.md for what this package owns and may import."""
