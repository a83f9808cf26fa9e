"""``assistant retrieve QUERY`` / ``--batch FILE``: ranked passages, no language model involved."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(sub, shared) -> None:
    p = sub.add_parser("retrieve", parents=[shared["common"], shared["filters"]], help="show the passages a query retrieves",
                       description="Hybrid (dense + BM25) retrieval with date/outlet filters. Models load once, so "
                                   "--batch is the fast way to run many queries.",
                       epilog='example: assistant retrieve "EU defence pact with India" --k 5 --since 2025-01-01')
    p.add_argument("query", nargs="?", help="the query text")
    p.add_argument("--batch", metavar="FILE", help="one query per line, or a MultiHop-RAG queries JSON")
    p.add_argument("--k", type=int, default=None, help="passages per query (default: retrieval.k = 10)")
    p.add_argument("--mode", choices=["dense", "bm25", "hybrid"], help="retrieval mode (default: hybrid)")
    p.add_argument("--json", action="store_true", help="one JSON object per query per line")
    p.set_defaults(handler=run)


def queries_from(args: argparse.Namespace) -> list[str]:
    """The query argument or the batch file's queries (shared with ``ask``)."""
    from ..core.errors import InputError

    if bool(args.batch) == bool(getattr(args, "query", None) or getattr(args, "question", None)):
        raise InputError("give either a query or --batch FILE (not both, not neither)")
    if args.batch:
        from ..evals.datasets import load_queries

        return [item["query"] for item in load_queries(args.batch)]
    return [getattr(args, "query", None) or args.question]


def run(args: argparse.Namespace) -> int:
    from ..core.render import passage_lines
    from ..core.sanitize import strip_controls
    from ..retrieve.retriever import Retriever
    from .main import settings_from_args

    settings = settings_from_args(args)
    queries = queries_from(args)
    retriever = Retriever(settings)
    filters = retriever.filters(args.since, args.until, args.source)
    for query, passages in zip(queries, retriever.search_batch(queries, args.k, filters, args.mode)):
        if args.json:
            print(json.dumps({"query": query, "results": [p.to_dict(i) for i, p in enumerate(passages, 1)]}))
        else:
            print(f"\n{strip_controls(query)}" if len(queries) > 1 else strip_controls(query))
            if not passages:
                print("  (no passages match)")
            for i, passage in enumerate(passages, 1):
                print("\n".join(passage_lines(i, passage)))
        sys.stdout.flush()
    return 0
