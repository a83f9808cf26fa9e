"""Fault trials: kill -9 at random points of ingests, updates and sidecar builds; readers in a loop beside
ingests; two server-mode ingests at once. Prints lost / duplicated / orphaned chunks and reader failures
(all should be 0) and staging folders left behind. Bounded: ``--kills`` trials of at most ``--max-delay``
seconds each, on small data; servers listen on 127.0.0.1 only. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from assistant.core.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "mini_corpus.json"
SAMPLE = ROOT / "samples" / "eu-india-security-defence-2025-02-28.txt"
PY = sys.executable
BUILD = ("import sys\nfrom assistant.core.settings import load_settings\nfrom assistant.index.sidecar import "
         "refresh_sidecar\nfrom assistant.index.store import Store\ns = load_settings(overrides={'index': sys.argv[1]})\n"
         "refresh_sidecar(Store(s), s)\n")
READER = Path(__file__).with_name("_reader_loop.py")


def _cli(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "assistant", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          check=False)


def _data(folder: Path, note: str) -> Path:
    corpus = json.loads(CORPUS.read_text())
    path = folder / f"data-{abs(hash(note))}.json"
    path.write_text(json.dumps([{**a, "body": f"{a['body']} {note}".strip()} for a in corpus]))
    return path


def check(settings) -> dict[str, int]:
    """Lost (an article's current version short of chunks), duplicated (one position twice among current
    chunks) and orphaned chunks of one index."""
    from assistant.index.store import Store

    store = Store(settings)
    states = store.states(refresh=True)
    current: dict[str, list[int]] = {}
    for _, _, meta in store.iter_chunks():
        current.setdefault(str(meta["article_id"]), []).append(int(meta["position"]))
    lost = sum(max(0, s.n_chunks - len(set(current.get(aid, [])))) for aid, s in states.items())
    duplicated = sum(len(p) - len(set(p)) for p in current.values())
    return {"lost": lost, "duplicated": duplicated, "orphaned": len(store.orphans())}


def kill_trials(n: int, max_delay: float, work: Path, rng: random.Random) -> dict[str, int]:
    totals = {"kills": 0, "lost": 0, "duplicated": 0, "orphaned": 0, "staging_left": 0, "rerun_failures": 0}
    base = work / "base"
    _cli("--index", str(base), "ingest", str(SAMPLE), str(CORPUS), "--no-progress")
    config = work / "small.toml"
    config.write_text("[ingest]\nwrite_batch_chunks = 2\n")
    for trial in range(n):
        kind = ("ingest", "update", "sidecar")[trial % 3]
        index = work / f"t{trial}"
        shutil.rmtree(index, ignore_errors=True)
        if kind == "ingest":
            index.mkdir()
            command = [PY, "-m", "assistant", "--index", str(index), "--config", str(config), "ingest", str(CORPUS)]
        else:
            shutil.copytree(base, index)
        if kind == "update":
            command = [PY, "-m", "assistant", "--index", str(index), "--config", str(config), "ingest",
                       str(_data(work, f"Revision {trial}.")), "--no-progress"]
        if kind == "sidecar":
            for folder in index.glob("bm25-*/[!.]*"):
                shutil.rmtree(folder)
            command = [PY, "-c", BUILD, str(index)]
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, max_delay))
        if proc.poll() is None:
            proc.kill()
            totals["kills"] += 1
        proc.wait()
        rerun = _cli("--index", str(index), *(["ingest", str(CORPUS)] if kind != "update" else
                                                ["ingest", command[-2]]), "--no-progress")
        totals["rerun_failures"] += rerun.returncode != 0
        _cli("--index", str(index), "retrieve", "What did the company report?", "--k", "2")
        for key, value in check(load_settings(overrides={"index": str(index)})).items():
            totals[key] += value
        totals["staging_left"] += len(list(index.glob("bm25-*/.build-*")))
        shutil.rmtree(index, ignore_errors=True)
        print(f"  trial {trial + 1}/{n} ({kind}): {totals}", file=sys.stderr, flush=True)
    return totals


def reader_trials(rounds: int, work: Path) -> dict[str, int]:
    index = work / "readers"
    _cli("--index", str(index), "ingest", str(SAMPLE), str(CORPUS), "--no-progress")
    stop = work / "stop"
    reader = subprocess.Popen([PY, str(READER), str(index), str(stop)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    for round_ in range(rounds):
        _cli("--index", str(index), "--config", str(work / "small.toml"), "ingest",
             str(_data(work, f"Reader round {round_}.")), "--no-progress")
    stop.touch()
    out, _ = reader.communicate(timeout=600)
    ok, failed = (int(x) for x in out.split()[:2])
    return {"reads": ok, "reader_failures": failed, **check(load_settings(overrides={"index": str(index)}))}


def server_trial(work: Path) -> dict[str, int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chroma = Path(PY).parent / "chroma"
    server = subprocess.Popen([str(chroma), "run", "--path", str(work / "server"), "--host", "127.0.0.1", "--port",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        _cli("--chroma-url", url, "--index", str(work / "m1"), "ingest", str(CORPUS), "--no-progress")
        procs = [subprocess.Popen([PY, "-m", "assistant", "--chroma-url", url, "--index", str(work / m), "--config",
                                   str(work / "small.toml"), "ingest", str(_data(work, f"Server {m}.")), "--no-progress"],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for m in ("m1", "m2")]
        failures = sum(p.wait(timeout=1200) != 0 for p in procs)
        return {"server_ingest_failures": failures, **check(load_settings(overrides={"chroma_url": url}))}
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--max-delay", type=float, default=12.0, help="latest kill, seconds after the start")
    parser.add_argument("--reader-rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    started = time.perf_counter()
    try:
        kills = kill_trials(args.kills, args.max_delay, work, random.Random(args.seed))
        readers = reader_trials(args.reader_rounds, work)
        server = server_trial(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"kill -9 trials: {args.kills} ({kills['kills']} killed before finishing) across ingest, update, sidecar build")
    print(f"  lost {kills['lost']}  duplicated {kills['duplicated']}  orphaned {kills['orphaned']}  "
          f"staging left {kills['staging_left']}  reruns failed {kills['rerun_failures']}")
    print(f"readers beside {args.reader_rounds} update ingests: {readers['reads']} reads, "
          f"{readers['reader_failures']} failures; lost {readers['lost']}  duplicated {readers['duplicated']}  "
          f"orphaned {readers['orphaned']}")
    print(f"two server-mode ingests at once: {server['server_ingest_failures']} failed; lost {server['lost']}  "
          f"duplicated {server['duplicated']}  orphaned {server['orphaned']}")
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
