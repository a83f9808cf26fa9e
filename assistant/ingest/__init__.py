"""Files in, chunks stored: loaders, chunking, the crash-safe ingest pipeline, locking, worker threads.

See docs/ARCHITECTURE.md for what this package owns and may import."""
