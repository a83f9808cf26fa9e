"""Benchmarks and evaluation scripts (run through the Makefile's bench-* and eval-* targets)."""
