"""``make bench-serve``: concurrent OpenAI clients against ``assistant serve`` on loopback.

Each model spec gets its own server process over the evaluation index (the corpus ingested once, as the
evals do); ``--clients`` clients each ask ``--per-client`` questions one after another (half of them
streaming), all at once. Printed: p50/p95/max latency, time to the first streamed text, throughput,
errors (429s apart), and the server's resident memory before, at its peak and after (it should stay flat:
the queue is bounded). Run: ``python -m bench.bench_serve --corpus evals/data/corpus.json --queries
evals/data/queries_public.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import openai

from assistant.core.settings import load_settings
from assistant.evals.eval_index import eval_settings
from assistant.serve.server import bind


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    first_text: list[float] = field(default_factory=list)
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def ask(client: openai.AsyncOpenAI, question: str, stream: bool, run: Run) -> None:
    started = time.perf_counter()
    try:
        messages = [{"role": "user", "content": question}]
        if stream:
            first = None
            async for chunk in await client.chat.completions.create(model="bench", messages=messages, stream=True):
                if first is None and chunk.choices and chunk.choices[0].delta.content:
                    first = time.perf_counter() - started
            run.first_text.append(first if first is not None else time.perf_counter() - started)
        else:
            reply = await client.chat.completions.create(model="bench", messages=messages)
            assert reply.choices[0].message.content
        run.latencies.append(time.perf_counter() - started)
    except openai.RateLimitError:
        run.refused += 1
    except Exception as exc:  # noqa: BLE001 - counted and shown, the run goes on
        run.errors.append(f"{type(exc).__name__}: {exc}"[:200])


async def load_test(base: str, pid: int, questions: list[str], clients: int, per_client: int) -> tuple[Run, float]:
    run = Run()
    feed = itertools.cycle(questions)
    plan = [[next(feed) for _ in range(per_client)] for _ in range(clients)]
    limits = httpx.Limits(max_connections=clients + 8, max_keepalive_connections=clients + 8)
    async with openai.AsyncOpenAI(base_url=f"{base}/v1", api_key="bench", max_retries=0, timeout=7200,
                                  http_client=httpx.AsyncClient(limits=limits, timeout=7200)) as client:
        async def one_client(n: int) -> None:
            for question in plan[n]:
                await ask(client, question, stream=n % 2 == 0, run=run)

        async def sample() -> None:
            while True:
                run.rss_mb.append(rss_mb(pid))
                await asyncio.sleep(0.5)

        sampler = asyncio.create_task(sample())
        started = time.perf_counter()
        await asyncio.gather(*(one_client(n) for n in range(clients)))
        wall = time.perf_counter() - started
        sampler.cancel()
    return run, wall


def start_server(index: Path, spec: str, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    with log.open("w") as out:
        return subprocess.Popen([sys.executable, "-m", "assistant", "--index", str(index), "--llm", spec, "serve",
                                 "--port", str(port), "--log-level", "warning"], stdout=out, stderr=subprocess.STDOUT,
                                env=env)


def wait_ready(base: str, proc: subprocess.Popen, log: Path) -> float:
    started = time.perf_counter()
    while True:
        if proc.poll() is not None:
            sys.exit(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)


def bench_one(index: Path, spec: str, questions: list[str], args: argparse.Namespace) -> dict:
    probe = bind("127.0.0.1", 0)
    port = probe.getsockname()[1]
    probe.close()
    log = Path(args.logs) / f"serve-{spec.replace(':', '_').replace('/', '_')}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    proc = start_server(index, spec, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        load_s = wait_ready(base, proc, log)
        asyncio.run(load_test(base, proc.pid, questions[:1], 1, 1))  # warm-up: first-question lazy loads
        before = rss_mb(proc.pid)
        run, wall = asyncio.run(load_test(base, proc.pid, questions, args.clients, args.per_client))
        after = rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
    done = len(run.latencies)
    return {"llm": spec, "requests": args.clients * args.per_client, "ok": done, "errors": len(run.errors),
            "refused_429": run.refused, "p50_s": percentile(run.latencies, 0.5), "p95_s": percentile(run.latencies, 0.95),
            "max_s": max(run.latencies, default=float("nan")), "first_text_p50_s": percentile(run.first_text, 0.5),
            "throughput_rps": done / wall if wall else 0.0, "wall_s": wall, "load_s": load_s, "rss_before_mb": before,
            "rss_peak_mb": max(run.rss_mb, default=before), "rss_after_mb": after, "error_samples": run.errors[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="articles to ingest into the eval index (reused once built)")
    parser.add_argument("--index", help="serve this existing index instead of the eval index")
    parser.add_argument("--queries", required=True)
    parser.add_argument("--llm", default="none,local", help="comma-separated model specs, one server each")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=4)
    parser.add_argument("--logs", default="evals/runs/bench-serve")
    args = parser.parse_args()
    if bool(args.corpus) == bool(args.index):
        parser.error("give --corpus or --index")
    settings = load_settings(overrides={"index": args.index}) if args.index else \
        eval_settings(load_settings(), args.corpus, progress=None)
    questions = [q["query"] for q in json.loads(Path(args.queries).read_text(encoding="utf-8"))]
    queue = settings.serve.workers + settings.serve.queue
    print(f"{args.clients} clients x {args.per_client} questions; pool {settings.serve.workers} worker(s) + "
          f"{settings.serve.queue} waiting = {queue} (429 expected only past it); index {settings.index}")
    for spec in args.llm.split(","):
        result = bench_one(Path(settings.index), spec.strip(), questions, args)
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}))
        print(f"  {result['llm']}: {result['ok']}/{result['requests']} ok, {result['errors']} errors, "
              f"{result['refused_429']} x 429; p50 {result['p50_s']:.2f} s, p95 {result['p95_s']:.2f} s, "
              f"first text p50 {result['first_text_p50_s']:.2f} s; {result['throughput_rps']:.2f} answers/s; "
              f"RSS {result['rss_before_mb']:.0f} -> peak {result['rss_peak_mb']:.0f} -> {result['rss_after_mb']:.0f} MB")


if __name__ == "__main__":
    main()
