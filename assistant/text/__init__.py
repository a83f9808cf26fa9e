"""Text analysis with no models: words, sentences, mentions (numbers, dates, names, quotes), dates, markers.

See docs/ARCHITECTURE.md for what this package owns and may import."""
