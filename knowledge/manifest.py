"""A small file next to the saved index that says which collection generation is current.

Why: opening chromadb (import + client) costs ~1.2 s per process, and a read-only process (``dealpilot
ask``, a chat turn) only needs the saved in-memory index. Every writer records the collection's new
``generation`` and embedder here; a reader compares it with the saved index's generation and opens
chroma only when they differ (or the manifest is missing), so staleness is checked with one small
file read and no chroma import.

Consistency: a writer changes chroma's generation and this file inside one exclusive lock
(``<manifest>.lock``, ``fcntl.flock``), and a reader that refreshes the file from chroma takes the same
lock and re-reads chroma's generation inside it, so a slower reader can never overwrite a newer
generation with an older one.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

try:  # POSIX; elsewhere writes are still atomic (rename), only the reader refresh race is unguarded
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class ManifestState:
    """What the manifest says: the current generation and who embedded the collection."""

    generation: str
    embedder: str
    schema: int


class Manifest:
    """``DEALPILOT_HOME/kb-index/<collection>.manifest.json``: read cheaply, written under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_path = path.with_name(path.name + ".lock")

    def read(self) -> ManifestState | None:
        """The recorded state; ``None`` when missing, unreadable or of another manifest version."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") != MANIFEST_VERSION:
                return None
            return ManifestState(str(data["generation"]), str(data["embedder"]), int(data["schema"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def write(self, state: ManifestState) -> None:
        """Replace the manifest atomically (call inside ``locked()`` when chroma changes too)."""
        payload = {"version": MANIFEST_VERSION, "generation": state.generation, "embedder": state.embedder,
                   "schema": state.schema}
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(payload), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only home still works: readers just open chroma

    def clear(self) -> None:
        """Forget the state (readers then ask chroma)."""
        with contextlib.suppress(OSError):
            self.path.unlink()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """An exclusive, cross-process lock around "change chroma's generation + write the manifest"."""
        if fcntl is None:
            yield
            return
        try:
            self._lock_path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self._lock_path, "a+b")  # noqa: SIM115 (held for the block)
        except OSError:
            yield  # read-only home: nothing to protect, the manifest cannot be written either
            return
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
