"""Evaluation harness: datasets, metrics and run reports (report.md, metrics.json, chart.png).

The pure parts (``metrics``, ``datasets``, ``report``) never touch the index or a model, so the
published MultiHop-RAG numbers can be checked against hand-made cases in unit tests.
"""
