"""The `assistant` command: the entry point and one module per subcommand.

See docs/ARCHITECTURE.md for what this package owns and may import."""
