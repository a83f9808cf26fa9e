"""The interactive REPL over the same answering and briefing calls.

See docs/ARCHITECTURE.md for what this package owns and may import."""
