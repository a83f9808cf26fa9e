"""Where a sentence is checked: citation parsing and the verifier.

See docs/ARCHITECTURE.md for what this package owns and may import."""
