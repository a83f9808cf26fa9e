"""Is the disk holding the index full? One answer for the store, the sidecar and the ingest."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from ..core.errors import DiskFullError


def disk_full(index: Path | str) -> DiskFullError:
    free = shutil.disk_usage(Path(index)).free
    return DiskFullError(f"the disk holding {index} is full: {free / 1e6:.0f} MB free; free space and rerun")


def out_of_space(exc: BaseException, index: Path | str, slack_mb: float = 1.0) -> bool:
    """Whether ``exc`` comes of a full disk: ENOSPC, a short write, or any failure with the disk (nearly) full
    (Chroma's own errors name neither: 'Error in compaction', '... requested and ... written')."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc)
    if "No space left" in text or ("requested and" in text and "written" in text):
        return True
    try:
        return shutil.disk_usage(Path(index)).free < slack_mb * 1e6
    except OSError:
        return False
