"""Streaming hooks: how an adapter receives an answer while it is being written.

An adapter wraps ``runtime.handle(message)`` in ``stream_to(on_delta=..., on_status=...)``; the
LLM agent then calls ``on_delta(text)`` with each new piece of the answer and ``on_status(text)``
while a tool runs ("looking up ACME…"). A context variable carries the callbacks, so the router
and skills need no streaming parameters and the offline engine simply never calls them.

Example (console live render)::

    with Live() as live, stream_to(on_delta=lambda d: live.update(buffer.append(d) or "".join(buffer))):
        reply = runtime.handle(message)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

TextCallback = Callable[[str], None]


@dataclass(frozen=True)
class StreamSink:
    """Where partial output goes; either callback may be ``None``."""

    on_delta: TextCallback | None = None
    on_status: TextCallback | None = None

    def delta(self, text: str) -> None:
        if self.on_delta is not None and text:
            self.on_delta(text)

    def status(self, text: str) -> None:
        if self.on_status is not None and text:
            self.on_status(text)


_current: ContextVar[StreamSink | None] = ContextVar("dealpilot_stream_sink", default=None)


@contextmanager
def stream_to(*, on_delta: TextCallback | None = None, on_status: TextCallback | None = None) -> Iterator[StreamSink]:
    """Send partial answers produced inside this block to the given callbacks."""
    sink = StreamSink(on_delta=on_delta, on_status=on_status)
    token = _current.set(sink)
    try:
        yield sink
    finally:
        _current.reset(token)


def current_sink() -> StreamSink | None:
    """The sink of the innermost ``stream_to`` block, or ``None`` when nobody is streaming."""
    return _current.get()
