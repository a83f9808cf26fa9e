"""One module per CLI command: ``add_parser(subparsers, shared)`` registers it, its handler runs it."""
