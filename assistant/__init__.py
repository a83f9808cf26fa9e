"""News-intelligence assistant: grounded answers and briefing notes with verified citations."""

__version__ = "0.1.0"
