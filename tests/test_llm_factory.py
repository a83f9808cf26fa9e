"""Spec parsing, the base-class defaults and import cheapness of ``assistant.llm`` (no model loaded)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.core.errors import ModelError
from assistant.core.settings import LLMSettings, Settings
from assistant.llm import ChatModel, ensure_tiktoken_cache, make_llm, parse_spec
from assistant.llm.base import encoding_name

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param("local", ("local", ""), id="local"),
        pytest.param("none", ("none", ""), id="none"),
        pytest.param(" local ", ("local", ""), id="padded"),
        pytest.param("gguf:/models/a.gguf", ("gguf", "/models/a.gguf"), id="gguf-abs"),
        pytest.param("gguf:C:/m/a.gguf", ("gguf", "C:/m/a.gguf"), id="gguf-colon-in-path"),
        pytest.param("openai:gpt-4o-mini", ("openai", "gpt-4o-mini"), id="openai"),
        pytest.param("openai:org/model:tag", ("openai", "org/model:tag"), id="openai-colon-in-name"),
    ],
)
def test_parse_spec(spec: str, expected: tuple[str, str]) -> None:
    assert parse_spec(spec) == expected


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("", id="empty"),
        pytest.param("smollm", id="bare-name"),
        pytest.param("gguf:", id="gguf-no-path"),
        pytest.param("openai: ", id="openai-no-model"),
        pytest.param("hf:HuggingFaceTB/SmolLM2", id="unknown-prefix"),
        pytest.param("Local", id="case-matters"),
    ],
)
def test_unknown_spec_names_valid_forms(spec: str) -> None:
    with pytest.raises(ModelError) as info:
        parse_spec(spec)
    message = str(info.value)
    assert "unknown model spec" in message
    for form in ("local", "gguf:PATH", "openai:MODEL", "none"):
        assert form in message
    assert "\n" not in message


def test_make_llm_none_returns_none() -> None:
    assert make_llm(Settings(llm=LLMSettings(spec="none"))) is None


def test_make_llm_rejects_unknown_spec_before_loading_anything() -> None:
    with pytest.raises(ModelError, match="unknown model spec 'ollama:x'"):
        make_llm(Settings(llm=LLMSettings(spec="ollama:x")))


def test_make_llm_missing_gguf_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(ModelError) as info:
        make_llm(Settings(llm=LLMSettings(spec=f"gguf:{missing}")))
    assert str(missing) in str(info.value)


def test_importing_the_package_loads_no_model_library() -> None:
    code = (
        "import sys, assistant.llm, assistant.llm.openai_client, assistant.llm.openai_chat, assistant.llm.local;"
        "assistant.llm.ensure_tiktoken_cache();"
        "print(*(m in sys.modules for m in ('llama_cpp', 'openai', 'tiktoken', 'llama_index')))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "False", "False", "False"]


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        pytest.param("gpt-4o-mini", "o200k_base", id="gpt-4o"),
        pytest.param("openai:gpt-4o", "o200k_base", id="prefixed"),
        pytest.param("o3-mini", "o200k_base", id="o-series"),
        pytest.param("gpt-4", "cl100k_base", id="gpt-4"),
        pytest.param("gpt-3.5-turbo", "cl100k_base", id="gpt-3.5"),
        pytest.param("ollama-llama3", "cl100k_base", id="o-but-not-o-series"),
        pytest.param("smollm2", "cl100k_base", id="self-hosted"),
    ],
)
def test_encoding_name(model: str, encoding: str) -> None:
    assert encoding_name(model) == encoding


def test_tiktoken_cache_points_at_llama_index_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # recorded first, so the teardown restores the original
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR")
    ensure_tiktoken_cache()
    folder = Path(os.environ["TIKTOKEN_CACHE_DIR"])
    assert folder.parts[-2:] == ("_static", "tiktoken_cache")
    assert len(list(folder.iterdir())) >= 2  # cl100k_base and o200k_base


def test_tiktoken_cache_respects_the_users_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    ensure_tiktoken_cache()
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path)


class Scripted(ChatModel):
    """The smallest provider: proves ``complete`` and ``count_tokens`` come from the base class."""

    def __init__(self, name: str, pieces: list[str]) -> None:
        self.name = name
        self.context_window = 1000
        self.pieces = pieces
        self.calls: list[dict[str, object]] = []

    def stream(
        self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float, stop: list[str] | None = None
    ) -> Iterator[str]:
        self.calls.append({"messages": messages, "max_tokens": max_tokens, "temperature": temperature, "stop": stop})
        yield from self.pieces


def test_complete_joins_the_stream_and_passes_arguments_through() -> None:
    model = Scripted("test:scripted", ["Paris", " is", " the capital [1]."])
    messages = [{"role": "user", "content": "Capital of France?"}]
    assert model.complete(messages, max_tokens=8, temperature=0.0, stop=["\n"]) == "Paris is the capital [1]."
    assert model.calls == [{"messages": messages, "max_tokens": 8, "temperature": 0.0, "stop": ["\n"]}]


def test_default_count_tokens_uses_tiktoken_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR")
    assert Scripted("openai:gpt-4", []).count_tokens("hello world") == 2
    assert Scripted("openai:gpt-4o", []).count_tokens("hello world") == 2
    text = "The quick brown fox jumps over the lazy dog. " * 20
    assert 150 < Scripted("openai:gpt-4o", []).count_tokens(text) < 300
    assert Scripted("openai:gpt-4o", []).count_tokens("<|endoftext|>") > 1  # special tokens are plain text here
