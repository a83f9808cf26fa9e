"""A writer's lease kept in the store itself, so that ingests from two machines sharing one Chroma server
(each with its own local index folder, so its own folder lock) never write the same index at once.

Chroma has no conditional write, so the lease is taken by writing it, waiting ``settle_s`` and reading it
back: of writers racing for a free lease, the last write wins and every other one sees it lost. A lease
names its holder and expires unless renewed (before each batch), so a killed ingest blocks others for at
most ``ttl_s``.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

_ID = "ingest"


class StoreLease:
    """The ``ingest`` record of the store's ``locks_<identity>`` collection."""

    def __init__(self, store, ttl_s: float, settle_s: float) -> None:
        self._locks = store.side_collection("locks")
        self.ttl_s, self.settle_s = ttl_s, settle_s
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def holder(self) -> str | None:
        """Who holds an unexpired lease now (``None``: nobody)."""
        got = self._locks.get(ids=[_ID], include=["metadatas"])
        if not got["ids"]:
            return None
        meta = got["metadatas"][0] or {}
        return str(meta.get("owner")) if float(meta.get("expires", 0)) > time.time() else None

    def try_take(self) -> str | None:
        """Take the lease if it is free (or ours); ``None`` when taken, else the holder's name."""
        holder = self.holder()
        if holder not in (None, self.owner):
            return holder
        self._write()
        time.sleep(self.settle_s)
        holder = self.holder()
        return None if holder == self.owner else (holder or "?")

    def renew(self) -> None:
        """Extend our lease (called before each batch); a lease lost meanwhile is an error, not a silent race."""
        holder = self.holder()
        if holder not in (None, self.owner):
            from ..core.errors import IndexBusyError

            raise IndexBusyError(f"another ingest ({holder}) took over the index while this one was writing",
                                 hint="rerun when it has finished; 'assistant index repair' tidies what was left")
        self._write()

    def release(self) -> None:
        if self.holder() == self.owner:
            self._locks.delete(ids=[_ID])

    def _write(self) -> None:
        self._locks.upsert(ids=[_ID], embeddings=[[0.0]],
                           metadatas=[{"owner": self.owner, "expires": time.time() + self.ttl_s}])
