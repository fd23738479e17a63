"""A small threaded HTTP(S) server for the CRM peers: JSON routes, a request log, injected faults.

Peers subclass ``PeerServer`` and implement ``route``. Faults (``peer.fail(...)``) answer matching
requests with a status (429 with ``Retry-After``, 401, 404, 500...) or raw bytes (malformed JSON)
a given number of times, so tests can prove retries, clear errors and resumable syncs.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def as_utc(moment: datetime | date | None) -> datetime | None:
    """A stored date or datetime as an aware UTC datetime (naive values are read as UTC): both
    vendors send UTC timestamps, each in its own format."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(), tzinfo=timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]


@dataclass
class Fault:
    pattern: re.Pattern[str]
    status: int
    times: int
    body: Any = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


class PeerServer:
    """Base class: start/stop, record, inject faults, dispatch to ``route``."""

    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> "PeerServer":
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                peer._serve(self)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    # --- test controls --------------------------------------------------------------------------
    def fail(self, pattern: str, status: int = 429, *, times: int = 1, body: Any = None, raw: bytes | None = None,
             headers: dict[str, str] | None = None) -> None:
        """Answer the next ``times`` requests whose ``"METHOD path"`` matches ``pattern`` with ``status``."""
        if status == 429 and headers is None:
            headers = {"Retry-After": "0"}
        with self.lock:
            self.faults.append(Fault(re.compile(pattern), status, times, body, raw, headers or {}))

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()
            self.faults.clear()

    def hits(self, pattern: str) -> list[Recorded]:
        rx = re.compile(pattern)
        with self.lock:
            return [r for r in self.requests if rx.search(f"{r.method} {r.path}")]

    # --- serving --------------------------------------------------------------------------------
    def route(self, req: Recorded) -> tuple[int, Any]:
        raise NotImplementedError

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        req = Recorded(handler.command, parts.path, parse_qs(parts.query, keep_blank_values=True), body,
                       {k.lower(): v for k, v in handler.headers.items()})
        with self.lock:
            self.requests.append(req)
            fault = next((f for f in self.faults if f.times > 0 and f.pattern.search(f"{req.method} {req.path}")), None)
            if fault is not None:
                fault.times -= 1
        if fault is not None:
            payload = fault.raw if fault.raw is not None else json.dumps(fault.body or {"error": "injected"}).encode()
            self._send(handler, fault.status, payload, fault.headers)
            return
        try:
            status, result = self.route(req)
        except Exception as exc:  # a bug in the peer shows up as a 500 with the reason
            status, result = 500, {"message": f"peer error: {exc!r}"}
        data = b"" if status == 204 else json.dumps(result, ensure_ascii=False).encode()
        self._send(handler, status, data, {})

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict[str, str]) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json;charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.end_headers()
        if data:
            handler.wfile.write(data)
