"""An exclusive lock per index folder, so two ingests never write the same index at once."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import IndexBusyError


@contextmanager
def index_lock(index_dir: Path, timeout_s: float, on_wait=None) -> Iterator[None]:
    """Hold ``index_dir/.ingest.lock``; wait up to ``timeout_s``, then refuse with the holder's pid."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / ".ingest.lock"
    handle = open(path, "a+")
    deadline = time.monotonic() + timeout_s
    told = False
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "?"
                if time.monotonic() >= deadline:
                    raise IndexBusyError(f"another ingest (pid {holder}) is writing to {index_dir}",
                                         hint="wait for it to finish, or raise ingest.lock_timeout_s") from None
                if on_wait and not told:
                    on_wait(holder)
                    told = True
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


@contextmanager
def store_lock(store, settings, on_wait=None) -> Iterator[object | None]:
    """Hold the writer's lease kept in a Chroma server's own collections (``index.lease``): the folder lock
    cannot see an ingest on another machine. Yields the lease (renewed before each batch), or ``None`` for an
    embedded index, which the folder lock alone guards."""
    if not settings.chroma_url:
        yield None
        return
    from ..index.lease import StoreLease

    cfg = settings.ingest
    lease = StoreLease(store, cfg.lease_ttl_s, cfg.lease_settle_s)
    deadline = time.monotonic() + cfg.lock_timeout_s
    told = False
    while (holder := lease.try_take()) is not None:
        if time.monotonic() >= deadline:
            raise IndexBusyError(f"another ingest ({holder}) is writing to {settings.chroma_url}",
                                 hint="wait for it to finish, or raise ingest.lock_timeout_s")
        if on_wait and not told:
            on_wait(holder)
            told = True
        time.sleep(0.5)
    try:
        yield lease
    finally:
        lease.release()
