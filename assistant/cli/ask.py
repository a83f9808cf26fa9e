"""``assistant ask QUESTION`` / ``--batch FILE``: grounded answers whose every sentence cites verified passages."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(sub, shared) -> None:
    p = sub.add_parser("ask", parents=[shared["common"], shared["filters"]], help="answer a question from the articles",
                       description="Answers from the indexed articles only. Every sentence cites numbered passages and "
                                   "is checked by a verifier; unsupported sentences are dropped, and when the articles "
                                   "don't answer, it says so. Models load once, so --batch is the fast way to ask many.",
                       epilog='example: assistant ask "Did TechCrunch report on the FTX trial before The Verge?" --json')
    p.add_argument("question", nargs="?", help="the question")
    p.add_argument("--batch", metavar="FILE", help="one question per line, or a MultiHop-RAG queries JSON")
    p.add_argument("--json", action="store_true", help="one JSON object per question per line")
    p.add_argument("--show-unsupported", action="store_true",
                   help="keep sentences the verifier rejects, marked '(unsupported)', instead of dropping them")
    p.add_argument("--no-stream", action="store_true", help="don't stream the answer as it is verified")
    p.set_defaults(handler=run)


def print_answer(answer) -> None:
    """The answer, then compact sources (n, title, outlet, date, URL, the passage)."""
    from ..core.render import passage_lines
    from ..core.sanitize import strip_controls

    if answer.abstained and answer.reason:
        print(f"  ({strip_controls(answer.reason)})")
    if answer.sources and not answer.abstained:
        print("\nSources:")
        cited = {n for s in answer.sentences if s.supported for n in s.citations}
        for n, passage in enumerate(answer.sources, 1):
            if n in cited:
                print("\n".join(passage_lines(n, passage)))


def run(args: argparse.Namespace) -> int:
    from ..answer.answerer import Answerer
    from ..core.sanitize import strip_controls
    from .main import settings_from_args
    from .retrieve import queries_from

    extra = {"answer.show_unsupported": True} if args.show_unsupported else None
    settings = settings_from_args(args, extra)
    questions = queries_from(args)
    answerer = Answerer(settings)
    filters = answerer.retriever.filters(args.since, args.until, args.source)
    stream = not args.json and not args.no_stream and answerer.llm is not None and sys.stdout.isatty()
    for number, question in enumerate(questions):
        if args.json:
            answer = answerer.ask(question, filters)
            print(json.dumps(answer.to_json(), ensure_ascii=False))
        else:
            if len(questions) > 1:
                print(("\n" if number else "") + f"Q: {strip_controls(question)}")

            def show(text: str) -> None:
                sys.stdout.write(strip_controls(text))
                sys.stdout.flush()

            answer = answerer.ask(question, filters, on_token=show if stream else None)
            if not stream:
                print(strip_controls(answer.answer), end="")
            print()
            print_answer(answer)
        sys.stdout.flush()
    return 0
