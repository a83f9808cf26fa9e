"""Topic in, briefing note out: article selection, candidate lines, notes, sections, renderers.

See docs/ARCHITECTURE.md for what this package owns and may import."""
