"""One settings object: defaults < TOML file < environment < command-line flags.

Every field carries a description (``assistant config show`` prints them) and unknown keys are
rejected, so a typo in a config file is an error rather than a silently ignored setting.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class EmbedSettings(_Section):
    model: str = Field("minilm", description="Embedder: 'minilm' (offline all-MiniLM-L6-v2 ONNX) or 'openai:MODEL'.")
    batch_size: int = Field(1, ge=1, le=1024, description="Passages per embedder call. On CPU one at a time is fastest (no padding, activations stay in cache: ~20 vs ~14 chunks/s at 8) and keeps memory flat.")
    workers: int = Field(0, ge=0, le=64, description="Parallel single-threaded embedder calls when batch_size is 1 (0 = one per core).")
    models_dir: Path = Field(
        Path(os.path.expanduser("~/.cache/news-assistant/models")),
        description="Folder the offline embedder's files are installed into (from PyPI packages, never downloaded).",
    )


class ChunkSettings(_Section):
    max_wordpieces: int = Field(
        254, ge=32, le=254,
        description="Chunk budget in MiniLM wordpieces, excluding [CLS]/[SEP]: the embedder sees every token.",
    )
    overlap_wordpieces: int = Field(0, ge=0, le=128, description="Overlap between consecutive chunks, in wordpieces (chunks never split a sentence, so 0 loses nothing).")


class IngestSettings(_Section):
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are skipped with a reason.")
    min_body_chars: int = Field(40, ge=1, description="Articles with a shorter body are skipped as empty.")
    write_batch_chunks: int = Field(256, ge=1, le=5000, description="Chunks embedded and written per batch (bounds memory).")
    lock_timeout_s: float = Field(30.0, ge=0, description="How long a second ingest waits for the index lock before refusing.")
    lease_ttl_s: float = Field(600.0, gt=0, description="Server mode: how long the writer's lease kept in the Chroma server "
                               "lasts unless renewed (before each batch); a killed ingest blocks others this long at most.")
    lease_settle_s: float = Field(1.0, ge=0, description="Server mode: wait between writing the lease and reading it back "
                                  "(of writers racing for it, the last write wins).")
    min_free_mb: float = Field(50.0, ge=0, description="Free space (MB) the disk holding an embedded index must have before each "
                               "batch is written; below it the ingest stops cleanly (what was committed stays readable).")


class RetrievalSettings(_Section):
    k: int = Field(10, ge=1, le=100, description="Passages returned per query.")
    read_retries: int = Field(5, ge=0, le=50, description="Times a read of the store is retried, reopening it, when another "
                              "process's write left this one's view of the index stale ('Error finding id').")
    read_retry_wait_s: float = Field(0.2, ge=0, le=10, description="Wait before the first retry of a stale read (doubling each time).")
    candidates: int = Field(60, ge=1, le=1000, description="Candidates taken from each retriever before fusion.")
    dense_ef_search: int = Field(1000, ge=1, description="HNSW search breadth of the dense query. Measured on the 511 public questions' 60 nearest chunks: at Chroma's default 100, 146 lists differed from exact search and 17 changed between processes (the graph is rebuilt in a different order); at 1000 none differed from exact, for ~3.5 ms more a query (2.0 -> 5.4 ms).")
    dense_weight: float = Field(0.3, ge=0, description="Weight of the dense (embedding) ranking in fusion.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    per_article_cap: int = Field(3, ge=1, le=100, description="Most passages one article may place in the top k.")
    mode: str = Field("hybrid", pattern="^(dense|bm25|hybrid)$", description="dense, bm25 or hybrid.")
    as_of: date | None = Field(None, description="Answer as if it were this day (--as-of): nothing published after it is read, and relative time in a question ('last week', 'on Tuesday') counts back from it. None: today, relative time counting back from the newest article.")
    query_understanding: bool = Field(True, description="Recognise outlets/dates in questions and split multi-source questions.")
    named_outlet_boost: float = Field(0.5, ge=0, description="Score boost for passages from outlets the question names.")
    reserved_per_subquery: int = Field(2, ge=0, le=5, description="Places in the top k reserved for each sub-query's best passages.")
    reranked_per_article_cap: int = Field(5, ge=1, le=100, description="Per-article cap when the learned ranker orders the passages (it weighs articles itself; measured with bench/train_ranker.py: 3 -> 5 raised AllEvidence@10 0.467 -> 0.476).")
    rerank: bool = Field(True, description="Order candidates with the learned rankers (hybrid mode): a multi-source question's with assistant/retrieve/ranker.json, a single-fact question's with single_ranker.json (fused rank against the passage's age).")
    one_per_story: bool = Field(True, description="One passage per story: syndicated copies and near-duplicates (index/stories.py) fold into their best-ranked passage, which names the others as 'also reported by'.")
    bridge_names: int = Field(1, ge=0, le=5, description="For 'which/who' questions: names recurring in the top passages added to each sub-query (0 = off).")
    bridge_names_depth: int = Field(5, ge=1, le=60, description="How many of the whole question's top fused passages bridge_names looks in (a name must recur in more than half of them). A setting like rrf_k: it shapes the group rankings the learned ranker was trained on (with 5) without being one of its features.")


class LLMSettings(_Section):
    spec: str = Field("local", description="'local' (bundled SmolLM2 GGUF), 'gguf:PATH', 'openai:MODEL' or 'none'.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature (0 = deterministic).")
    max_tokens: int = Field(256, ge=1, le=8192, description="Most tokens generated per answer.")
    context_window: int = Field(0, ge=0, description="Override the model's context size in tokens (0 = the model's own).")
    timeout_s: float = Field(120.0, gt=0, description="Timeout per request to an OpenAI-compatible server.")
    retries: int = Field(2, ge=0, le=10, description="Retries (with backoff) on 429/5xx or connection errors.")
    threads: int = Field(0, ge=0, description="llama.cpp threads (0 = half the cores, as llama.cpp does: using all of them stalls when anything else runs).")


class AnswerSettings(_Section):
    max_passages: int = Field(6, ge=1, le=30, description="Passages placed in the answer prompt of an open question (at most answer.max_passages_cap).")
    prompt_budget_tokens: int = Field(1400, ge=200, description="Token budget for the passages in a prompt.")
    verifier: Literal["rules", "learned"] = Field("learned", description="What checks answer, brief and chat sentences after the hard checks (numbers, dates, names, quotes): 'learned' = the support model (assistant/grounding/support.json) at answer.support_threshold, with its reasons (a named subject clash rejects the sentence whatever its score); 'rules' = MiniLM similarity to a cited window of at least answer.support_similarity. 'assistant verify' and 'assistant check' always use the learned model.")
    support_threshold: float | None = Field(None, ge=0, le=1, description="Learned verifier: least calibrated support score (0-1) for a sentence to count as supported; unset = the threshold shipped beside the support model in assistant/grounding/support.json (chosen on the FRANK validation summaries, a dev set, by bench/train_verifier.py).")
    support_similarity: float = Field(0.45, ge=0, le=1, description="Rule verifier: least MiniLM similarity between a sentence and a window of one or two sentences of a cited passage.")
    show_unsupported: bool = Field(False, description="Keep unsupported sentences in the output, marked, instead of dropping them.")
    max_passages_cap: int = Field(4, ge=1, le=30, description="Upper bound on answer.max_passages: the bundled SmolLM2-135M answers from a short prompt, so however many passages are configured it is shown at most this many. Raise it (with max_passages) for a larger model.")
    max_tokens_cap: int = Field(120, ge=1, le=8192, description="Upper bound on llm.max_tokens for an answer (briefs have their own): an answer is a few short cited sentences, every token more is CPU time for the local model, and the answer's tokens come out of the prompt's room for passages.")
    max_tokens_floor: int = Field(16, ge=1, le=8192, description="Lower bound on llm.max_tokens for an answer, so that a very small llm.max_tokens still leaves room for one cited sentence.")
    claim_passages: int = Field(4, ge=1, le=100, description="Passages retrieved from the named outlet's articles for each claim of a yes/no, choice or which-outlet question; the best-matching sentence among them is the claim's evidence.")
    names_passages: int = Field(6, ge=1, le=100, description="Passages retrieved for the whole of a yes/no, choice or which-outlet question, beside the claims' evidence, to check that the people and things it names are in the indexed articles.")
    entity_passages: int = Field(6, ge=1, le=100, description="Passages retrieved for each description in a who/which/what question (the question and up to six of its clauses); the answer is a name that recurs across these lists.")
    model_writes: Literal["auto", "always", "never"] = Field("auto", description="Who writes an answer when there is a model: 'always' the model (from the passages, its sentences verified), 'never' the system (the model is left to other jobs), 'auto' the model unless it is the bundled SmolLM2-135M, whose own sentences survived verification in 12 of 511 MultiHop-RAG answers (the system composes; README, eval qa).")
    date_slack_days: float = Field(2.0, ge=0, description="A question naming a time ('this week', 'in May 2025') is answered only from reports published in that window or dating the event in it, give or take this many days (a report of Monday's events may run on Wednesday).")
    recent_days: float = Field(31.0, ge=0, description="A question about what happened 'recently' (or 'lately') is answered from the reports of the last this many days when they hold an answer, else from any: a soft window, since an archive's 'recently' can span months.")
    open_passages: int = Field(8, ge=1, le=100, description="Passages retrieved for an open question: the model is shown the best answer.max_passages of them, an extractive answer quotes sentences from the top five.")


class BriefSettings(_Section):
    position_weight: float = Field(2.0, ge=0, description="Briefing line score: weight of a sentence's place in its article (weight / (1 + position)); on news the lead is the strongest single signal. Halved when a topic is given (the leads of several articles compete).")
    centrality_weight: float = Field(1.0, ge=0, description="Briefing line score: weight of a sentence's LexRank centrality in the graph of all the articles' sentences, scaled to 0..1 (lines several sources share rise).")
    topic_weight: float = Field(1.5, ge=0, description="Briefing line score: weight of a sentence's similarity to the topic, doubled (relevance counts more than position when a topic is given).")
    quote_penalty: float = Field(0.3, ge=0, description="Score taken from a prose candidate that opens with a quote (quotes have their own section).")
    first_person_penalty: float = Field(0.5, ge=0, description="Score taken from a line in the reporter's own first-person voice (not briefing material).")
    llm_bonus: float = Field(-0.1, description="Score added to a verified model line: negative, so it must score clearly above the article sentence it restates (brief eval, local model: +0.3 -> R-1 0.394, 0 -> 0.407, -0.1 -> 0.408 = lead-3; chosen on that set).")
    repeat_cosine: float = Field(0.85, ge=0, le=1, description="Two lines at least this similar (embedding cosine) say the same thing: the note keeps one.")
    repeat_jaccard: float = Field(0.6, ge=0, le=1, description="Two lines sharing at least this share of content words (Jaccard) say the same thing: the note keeps one.")
    mmr_lambda: float = Field(0.8, ge=0, le=1, description="Prose selection (maximal marginal relevance): weight of a line's score against its similarity to the lines already chosen.")
    outlet_penalty: float = Field(0.1, ge=0, description="Prose selection: taken per line already chosen from the same outlet, so several sources get a place.")
    words: int | None = Field(None, ge=20, description="Length in words of the standard note (bottom line + key developments); unset: it follows the story (brief/length.py: the bottom line, then the words of each line more central than all of it that it leaves out, and prose_words_per_extra_article more per further article; at most prose_words for one article plus the same per further article, and prose_words_max). CLI: --words.")
    prose_words: int = Field(80, ge=1, description="Most words of the bottom line and key developments for one article (when brief.words is unset; more articles add prose_words_per_extra_article each): about the bottom line, as a one-story summary is about its lead's length (CNN/DailyMail references ~57 words, lead-3 79; 120 words cost 1.6 points of ROUGE-1 on that dev set). One article's developments are only its distinct developments (brief/length.py).")
    prose_words_per_extra_article: int = Field(35, ge=0, description="Words added to the standard note's length, and to its one-article maximum, per further article.")
    prose_words_max: int = Field(250, ge=1, description="Most words of the bottom line and key developments together (when brief.words is unset).")
    min_words: int = Field(6, ge=1, description="Fewest words of a prose line or a model line (shorter ones are fragments).")
    max_words: int = Field(60, ge=1, description="Most words of a prose line (longer ones are run-on text or lists).")
    drop_asides: bool = Field(True, description="Prose lines lose their non-restrictive relative clauses (\", who …,\"; text/asides.py): the news in fewer words, nothing added (brief eval, CNN/DailyMail validation, llm none: ROUGE-1 0.4171 -> 0.4199).")
    bottom_line_sentences: int = Field(3, ge=1, le=5, description="Sentences of the bottom line (BLUF), placed first. Brief eval, CNN/DailyMail validation, BLUF alone within 80 words, chosen on half of the items: 3 sentences -> R-1 0.393, the former 2 (3 when short) -> 0.389; other half 0.429 vs 0.419 (lead-3: 0.389 / 0.427).")
    bottom_line_words: int = Field(80, ge=20, description="Most words of the bottom line (about three news sentences; the standard note's budget caps it too): its first two sentences always, a third only when it fits (brief eval, CNN/DailyMail validation, llm none: the third had been let overrun the cap by up to 25 words; held to it, ROUGE-1 0.4125 -> 0.4171).")
    min_developments: int = Field(0, ge=0, description="Key developments a one-article note always gets, budget or not (several articles: 2); 0: none when the bottom line says it all.")
    max_developments: int = Field(8, ge=1, description="Most key developments.")
    model_lexical_support: float = Field(0.75, ge=0, le=1, description="Share of a model line's content words that must occur in the passages it cites.")
    note_tokens: int = Field(160, ge=16, description="Most tokens of a model reply in a briefing (the notes on one article, or the bottom line).")
    min_article_similarity: float = Field(0.3, ge=0, le=1, description="Least similarity of an article's vector to the topic for it to be briefed on (also at least half the best article's).")
    differ_cosine_min: float = Field(0.75, ge=0, le=1, description="'Where sources differ': least similarity of two outlets' mutually most similar lines about one event cluster to count as the same point.")
    max_actors: int = Field(4, ge=0, description="Most lines in 'Actors'.")
    max_quotes: int = Field(3, ge=0, description="Most lines in 'Notable quotes'.")
    max_timeline: int = Field(5, ge=0, description="Most lines in 'Timeline'.")
    max_differences: int = Field(3, ge=0, description="Most lines in 'Where sources differ'.")
    max_open_questions: int = Field(3, ge=0, description="Most lines in 'Open questions / what to watch'.")
    search_per_article: int = Field(3, ge=1, description="Article selection: passages searched per article wanted (at least search_min), so the wanted articles have several chances each.")
    search_min: int = Field(20, ge=1, description="Article selection: fewest passages searched and article vectors compared.")
    relative_similarity: float = Field(0.5, ge=0, le=1, description="Article selection: an article must also reach this share of the best article's similarity to the topic (a narrow topic keeps unrelated articles out).")
    lead_article_margin: float = Field(0.1, ge=0, le=1, description="Article selection: the passage search's first article may fall this far below the similarity floor (its exact words matched).")
    quote_min_words: int = Field(5, ge=1, description="Fewest words of a notable quote (shorter ones are fragments).")
    quote_max_words: int = Field(60, ge=1, description="Most words of a notable quote.")
    model_line_overlap: float = Field(0.5, ge=0, le=1, description="A model line that cites nothing is given the passage holding at least this share of its content words (the verifier still checks it).")


class FetchSettings(_Section):
    timeout_s: float = Field(10.0, gt=0, description="Timeout of each network step (connect, read between bytes) of a feed, page, sitemap or robots.txt request.")
    page_deadline_s: float = Field(30.0, gt=0, description="Most seconds one response may take in all (a server trickling bytes is cut off here).")
    max_redirects: int = Field(5, ge=0, le=20, description="Most redirects followed per request.")
    max_page_mb: float = Field(5.0, gt=0, description="Responses larger than this are abandoned with a reason.")
    user_agent: str = Field("news-assistant/0.1 (feed reader of the news-assistant project)", description="User-Agent sent with every request (and matched against robots.txt).")
    per_host: int = Field(2, ge=1, le=32, description="Most requests in flight to one host at once.")
    workers: int = Field(8, ge=1, le=64, description="Requests in flight in all.")
    robots: bool = Field(True, description="Honour robots.txt (a page it disallows is not fetched; the feed's own text is used).")
    every_s: float = Field(1800.0, ge=60, description="Default polling interval of a feed added without --every.")
    backoff_s: float = Field(300.0, ge=1, description="Wait before retrying a failed feed, doubled per consecutive failure (capped at backoff_max_s).")
    backoff_max_s: float = Field(86400.0, ge=1, description="Longest wait before retrying a failing feed.")
    max_sitemap_urls: int = Field(5000, ge=1, description="Most page URLs read from one sitemap (and the sitemaps it lists).")


class StorySettings(_Section):
    shingle_words: int = Field(5, ge=1, le=20, description="Words per shingle of the near-duplicate MinHash.")
    num_perm: int = Field(128, ge=16, le=1024, description="MinHash permutations (more: a closer Jaccard estimate, more memory).")
    candidate_jaccard: float = Field(0.3, gt=0, le=1, description="LSH threshold: least estimated shingle Jaccard for two articles to be compared at all (so the shorter is at least this share of the longer).")
    duplicate_containment: float = Field(0.8, ge=0, le=1, description="Least estimated share of the shorter article's shingles found in the longer for the two to be one story (a syndicated copy with another headline or a trimmed ending is contained in the original).")
    cluster_cosine: float = Field(0.6, ge=0, le=1, description="Least cosine of two stories' article vectors for them to be one event cluster.")
    cluster_days: float = Field(3.0, ge=0, description="Most days between two stories' dates for them to be one event cluster.")


class ServeSettings(_Section):
    workers: int = Field(1, ge=1, le=16, description="Questions, briefs and checks `assistant serve` works on at once. One by default: every request shares the loaded models, and the in-process llama.cpp model writes one reply at a time anyway (a model call is serialised whatever this is).")
    queue: int = Field(64, ge=0, le=10000, description="Requests that may wait for a worker; one more gets 429 (with Retry-After) instead of holding memory.")
    max_request_kb: int = Field(64, ge=1, le=10240, description="Largest request body, in KiB; a larger one gets 413.")
    max_question_chars: int = Field(2000, ge=10, le=100000, description="Longest question (the last user message) or brief topic; a longer one gets 400.")
    max_messages: int = Field(50, ge=1, le=1000, description="Most messages in one chat request (the conversation so far and the question).")
    max_answer_chars: int = Field(2000, ge=100, le=100000, description="Longest reply: whole verified sentences are kept up to this many characters (model replies are also bounded by answer.max_tokens_cap).")
    max_brief_articles: int = Field(12, ge=1, le=100, description="Most articles one POST /v1/briefs may ask for.")
    max_claims: int = Field(32, ge=1, le=1000, description="Most claims one POST /v1/verify may check.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins (e.g. 'http://localhost:3000') whose web pages may call the API from a browser; empty = CORS off, only the server's own page.")
    retry_after_s: int = Field(2, ge=1, le=3600, description="Seconds a 429 or 503 reply tells the client to wait (Retry-After).")


class CheckSettings(_Section):
    passages: int = Field(5, ge=1, le=50, description="'assistant check': passages retrieved for each sentence of a draft; the sentence is verified against each and the best-scoring one is shown.")
    same_topic_similarity: float = Field(0.6, ge=0, le=1, description="'assistant check': least similarity (the learned verifier's static vectors) between an unsupported sentence and a passage window for the passage to be about the same thing, so that a clash (another number, date or name, a negation, other roles) makes the sentence 'contradicted' rather than 'not found'.")


class Settings(_Section):
    index: Path = Field(Path("./index"), description="Embedded Chroma store and sidecar files (env ASSISTANT_INDEX).")
    chroma_url: str | None = Field(None, description="Use a Chroma server at this URL instead of the embedded store.")
    embed: EmbedSettings = Field(default_factory=EmbedSettings)
    chunk: ChunkSettings = Field(default_factory=ChunkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    brief: BriefSettings = Field(default_factory=BriefSettings)
    check: CheckSettings = Field(default_factory=CheckSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    stories: StorySettings = Field(default_factory=StorySettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)

    def identity(self) -> str:
        """Hash of everything that shapes the stored vectors: changing it selects a new collection."""
        key = {"embed": self.embed.model, "chunk": self.chunk.model_dump(), "v": 3}  # v3: chunk texts as metadata
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:10]


ENV_VARS: dict[str, str] = {
    "ASSISTANT_INDEX": "index",
    "ASSISTANT_CHROMA_URL": "chroma_url",
    "ASSISTANT_LLM": "llm.spec",
    "ASSISTANT_EMBED": "embed.model",
}


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for name in parents:
        data = data.setdefault(name, {})
    data[leaf] = value


def load_settings(config_file: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Build the effective settings: defaults < TOML (``--config`` or ``ASSISTANT_CONFIG``) < env < overrides.

    ``overrides`` maps dotted field names (``"llm.spec"``) to values from command-line flags.
    """
    data: dict[str, Any] = {}
    path = config_file or os.environ.get("ASSISTANT_CONFIG")
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    for env, dotted in ENV_VARS.items():
        if os.environ.get(env):
            _set_dotted(data, dotted, os.environ[env])
    for dotted, value in (overrides or {}).items():
        if value is not None:
            _set_dotted(data, dotted, value)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"bad setting '{where}': {first['msg']}", hint="see 'assistant config show'") from None


def describe(settings: Settings) -> str:
    """TOML-like listing of the effective settings, each with its description."""
    lines: list[str] = []

    def emit(model: BaseModel, prefix: str) -> None:
        nested = []
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                nested.append((name, value))
                continue
            shown = json.dumps(str(value) if isinstance(value, Path) else value)
            lines.append(f"{name} = {shown}  # {field.description}")
        for name, value in nested:
            lines.append(f"\n[{prefix}{name}]")
            emit(value, f"{prefix}{name}.")

    emit(settings, "")
    return "\n".join(lines)
