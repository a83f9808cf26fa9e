"""A reader in a loop until a stop file appears (bench_faults): prints 'reads failures'."""

import os
import sys

from assistant.core.settings import load_settings
from assistant.retrieve.retriever import Retriever

settings = load_settings(overrides={"index": sys.argv[1]})
retriever, ok, failed = Retriever(settings), 0, 0
while not os.path.exists(sys.argv[2]):
    try:
        retriever.search("What did the company report?", k=3)
        if ok % 10 == 9:  # as 'ask' in a loop would: a new reader over the index as it stands
            retriever = Retriever(settings, embedder=retriever.embedder)
        ok += 1
    except Exception as exc:  # noqa: BLE001 - counted, that is the measurement
        failed += 1
        print(f"{type(exc).__name__}: {exc}"[:200], file=sys.stderr)
print(ok, failed)
