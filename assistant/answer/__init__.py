"""Passages become a cited answer: answering plan, evidence sentences, candidates, the answerer.

See docs/ARCHITECTURE.md for what this package owns and may import."""
