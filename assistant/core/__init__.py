"""Bottom layer: settings, typed errors, the article and passage models, passage rendering.

See docs/ARCHITECTURE.md for what this package owns and may import."""
