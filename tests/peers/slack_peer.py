"""A local Slack: the Web API methods DealPilot uses, plus the Socket Mode websocket side.

Runs an aiohttp server on ``127.0.0.1:0`` in a background thread. Point a ``WebClient`` at
``peer.api_url`` (``DEALPILOT_SLACK_API_URL``) and the real slack_sdk / slack-bolt code talks to it.

* Web API: ``POST|GET /api/<method>`` accepting JSON, form and query parameters, checking the
  bearer token like Slack does (bot token for Web API methods, app-level token for
  ``apps.connections.open``). Every request is recorded (``peer.requests``), and a method can be
  made to fail N times (``peer.fail(...)``: HTTP 429 with ``Retry-After``, or ``{"ok": false}``).
* Socket Mode: ``apps.connections.open`` answers ``ws://127.0.0.1:<port>/link?ticket=N``; the
  websocket side sends ``hello``, pushes envelopes (``peer.push``), records acks by
  ``envelope_id`` and can ask the client to reconnect (``peer.disconnect()``).
* ``response_url``s (slash commands, buttons) point at ``/response/<key>`` and are recorded too,
  under the pseudo-method ``"response_url"``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-1111-2222-peerbottoken"
APP_TOKEN = "xapp-1-A0DEALPILOT-3333-peerapptoken"
SIGNING_SECRET = "peer-signing-secret-0123456789abcdef"
TEAM_ID = "T0NORTH"
BOT_USER_ID = "U0DEALPILOT"
BOT_ID = "B0DEALPILOT"

JSON_FIELDS = ("blocks", "attachments", "view", "chunks", "metadata", "prompts")


UPLOAD_METHOD = "upload.bytes"
"""Where ``files.getUploadURLExternal`` tells the client to POST a file's bytes."""


@dataclass
class PeerRequest:
    """One request the peer received."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Failure:
    times: int
    status: int
    error: str
    retry_after: int


@dataclass
class Ack:
    envelope_id: str
    payload: dict[str, Any] | None
    at: float


def block_kit_errors(blocks: Any, *, max_blocks: int = 50) -> list[str]:
    """What Slack would reject in ``blocks`` (the documented Block Kit limits DealPilot relies on)."""
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"{len(blocks)} blocks > {max_blocks}")
    action_ids: list[str] = []

    def text_ok(obj: Any, where: str, limit: int, kinds: tuple[str, ...] = ("plain_text", "mrkdwn")) -> None:
        if not isinstance(obj, dict) or obj.get("type") not in kinds:
            errors.append(f"{where}: bad text object {obj!r:.80}")
            return
        text = obj.get("text")
        if not isinstance(text, str) or not text:
            errors.append(f"{where}: empty text")
        elif len(text) > limit:
            errors.append(f"{where}: {len(text)} chars > {limit}")

    for i, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        where = f"blocks[{i}]({kind})"
        if kind == "section":
            if "text" not in block and "fields" not in block:
                errors.append(f"{where}: needs text or fields")
            if "text" in block:
                text_ok(block["text"], where, 3000)
            fields = block.get("fields", [])
            if len(fields) > 10:
                errors.append(f"{where}: {len(fields)} fields > 10")
            for j, f in enumerate(fields):
                text_ok(f, f"{where}.fields[{j}]", 2000)
        elif kind == "header":
            text_ok(block.get("text"), where, 150, ("plain_text",))
        elif kind == "context":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 10:
                errors.append(f"{where}: {len(elements)} elements (1..10)")
            for j, e in enumerate(elements):
                if e.get("type") != "image":
                    text_ok(e, f"{where}.elements[{j}]", 3000)
        elif kind == "actions":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 25:
                errors.append(f"{where}: {len(elements)} elements (1..25)")
            for j, e in enumerate(elements):
                if e.get("type") == "button":
                    text_ok(e.get("text"), f"{where}.elements[{j}]", 75, ("plain_text",))
                    if len(str(e.get("value", ""))) > 2000:
                        errors.append(f"{where}.elements[{j}]: value > 2000")
                    if e.get("style") not in (None, "primary", "danger"):
                        errors.append(f"{where}.elements[{j}]: bad style")
                action_id = e.get("action_id")
                if action_id is not None:
                    if len(action_id) > 255:
                        errors.append(f"{where}.elements[{j}]: action_id > 255")
                    action_ids.append(action_id)
        elif kind == "image":
            if not str(block.get("image_url", "")).startswith(("http://", "https://")):
                errors.append(f"{where}: image_url must be a URL")
            if not block.get("alt_text") or len(block["alt_text"]) > 2000:
                errors.append(f"{where}: alt_text 1..2000")
        elif kind in ("divider", "rich_text"):
            pass
        else:
            errors.append(f"{where}: unknown block type")
    duplicates = sorted({a for a in action_ids if action_ids.count(a) > 1})
    if duplicates:
        errors.append(f"duplicate action_id {duplicates}")
    return errors


class SlackPeer:
    """A Slack workspace on localhost, for tests and benchmarks."""

    def __init__(self, *, team_id: str = TEAM_ID, bot_token: str = BOT_TOKEN, app_token: str = APP_TOKEN) -> None:
        self.team_id = team_id
        self.bot_token = bot_token
        self.app_token = app_token
        self.requests: list[PeerRequest] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.acks: dict[str, Ack] = {}
        self.pushed: dict[str, float] = {}
        self.connections_opened = 0
        self.hellos_sent = 0
        self.uploads: dict[str, bytes] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- lifecycle --------------------------------------------------------------------------------
    def start(self) -> "SlackPeer":
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._serve())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="slack-peer", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("slack peer did not start")
        return self

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link", self._link)
        app.router.add_get("/link/", self._link)
        app.router.add_post("/response/{key}", self._response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        if self._loop is None:
            return

        async def shutdown() -> None:
            for ws in list(self._sockets):
                await ws.close()
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = None

    def __enter__(self) -> "SlackPeer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """What ``WebClient(base_url=...)`` needs (trailing slash included)."""
        return f"{self.url}/api/"

    def response_url(self, key: str | None = None) -> str:
        return f"{self.url}/response/{key or uuid.uuid4().hex[:10]}"

    # --- test controls ----------------------------------------------------------------------------
    def add_user(self, user_id: str, *, email: str | None, name: str = "", is_bot: bool = False) -> None:
        """A workspace member ``users.info`` will describe (``email=None``: no email visible)."""
        profile: dict[str, Any] = {"real_name": name or user_id, "display_name": name or user_id}
        if email:
            profile["email"] = email
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name or user_id,
            "real_name": name or user_id,
            "is_bot": is_bot,
            "deleted": False,
            "tz": "Asia/Shanghai",
            "profile": profile,
        }

    def fail(self, method: str, *, times: int = 1, status: int = 429, error: str = "ratelimited", retry_after: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail (429 + Retry-After, or an error)."""
        with self._cond:
            self._failures.setdefault(method, []).append(_Failure(times, status, error, retry_after))

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every recorded call of ``method``, oldest first."""
        with self._cond:
            return [r.params for r in self.requests if r.method == method]

    def calls_of(self, *methods: str) -> list[PeerRequest]:
        with self._cond:
            return [r for r in self.requests if r.method in methods]

    def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 10.0,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """Block until ``count`` matching calls of ``method`` arrived; return them (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [r.params for r in self.requests if r.method == method and (where is None or where(r.params))]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [r.method for r in self.requests]
                    raise AssertionError(f"timed out waiting for {count} x {method}; saw {seen}")
                self._cond.wait(remaining)

    def settle(self, quiet: float = 0.4, timeout: float = 10.0) -> None:
        """Wait until no request arrived for ``quiet`` seconds (to assert something did *not* happen)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                last = self.requests[-1].at if self.requests else 0.0
            if time.monotonic() - last >= quiet:
                return
            time.sleep(quiet / 4)

    def reset(self) -> None:
        with self._cond:
            self.requests.clear()

    # --- socket mode controls ---------------------------------------------------------------------
    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Block until ``count`` websocket sessions have received their ``hello``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.hellos_sent < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"only {self.hellos_sent} socket sessions, wanted {count}")
                self._cond.wait(remaining)

    def push(
        self,
        payload: dict[str, Any],
        *,
        type: str = "events_api",
        envelope_id: str | None = None,
        retry_attempt: int = 0,
    ) -> str:
        """Send an envelope on the newest socket session; returns its ``envelope_id``."""
        envelope_id = envelope_id or uuid.uuid4().hex
        envelope = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": type != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        with self._cond:
            self.pushed[envelope_id] = time.monotonic()
        self._run(self._send_latest(envelope))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> Ack:
        deadline = time.monotonic() + timeout
        with self._cond:
            while envelope_id not in self.acks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"envelope {envelope_id} was not acknowledged")
                self._cond.wait(remaining)
            return self.acks[envelope_id]

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does before rotating a connection."""
        self._run(self._send_latest({"type": "disconnect", "reason": reason, "debug_info": {"host": "slack-peer"}}))

    def drop(self, *, all_sessions: bool = False) -> None:
        """Close the newest socket (or all) abruptly, as a network failure would, without ``disconnect``."""

        async def close() -> None:
            for ws in list(self._sockets if all_sessions else self._sockets[-1:]):
                await ws.close()

        self._run(close())

    def _run(self, coro: Any) -> Any:
        assert self._loop is not None, "peer not started"
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _send_latest(self, message: dict[str, Any]) -> None:
        deadline = time.monotonic() + 10
        while not self._sockets:
            if time.monotonic() > deadline:
                raise AssertionError("no socket mode session is connected")
            await asyncio.sleep(0.02)
        await self._sockets[-1].send_str(json.dumps(message))

    # --- signing (HTTP mode) ------------------------------------------------------------------------
    @staticmethod
    def sign(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
        """Headers Slack would send with ``body``: ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature``."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}

    # --- HTTP side ------------------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            else:
                form = await request.post()
                params.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in JSON_FIELDS:  # form-encoded calls carry these as JSON strings
            if isinstance(params.get(key), str) and params[key][:1] in "[{":
                params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == UPLOAD_METHOD:
            return await self._upload_bytes(request)
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else params.pop("token", None)
        params.pop("token", None)
        with self._cond:
            self.requests.append(PeerRequest(method, params, token))
            failure = self._take_failure(method)
            self._cond.notify_all()
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.status == 429 else {}
            return web.json_response({"ok": False, "error": failure.error}, status=failure.status, headers=headers)
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != wanted:
            error = "not_authed" if not token else ("not_allowed_token_type" if token in (self.bot_token, self.app_token) else "invalid_auth")
            return web.json_response({"ok": False, "error": error})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(handler(params))

    # --- files (files_upload_v2: get an URL, POST the bytes there, complete) ---------------------
    def _m_files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("filename") or not str(p.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = "F" + uuid.uuid4().hex[:10].upper()
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.api_url}{UPLOAD_METHOD}?file={file_id}"}

    def _m_files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        files = p.get("files")
        files = json.loads(files) if isinstance(files, str) else files or []
        missing = [f["id"] for f in files if f.get("id") not in self.uploads]
        if missing or not files:
            return {"ok": False, "error": "file_not_found"}
        channel = str(p.get("channel_id", ""))
        shared = [{"id": f["id"], "title": f.get("title", ""), "channels": [channel] if channel else []} for f in files]
        if channel:
            message: dict[str, Any] = {"type": "message", "ts": self._next_ts(), "files": shared}
            if p.get("thread_ts"):
                message["thread_ts"] = str(p["thread_ts"])
            with self._cond:
                self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "files": shared}

    async def _upload_bytes(self, request: web.Request) -> web.Response:
        file_id = request.query.get("file", "")
        body = await request.read()
        with self._cond:
            self.uploads[file_id] = body
            self.requests.append(PeerRequest(UPLOAD_METHOD, {"file": file_id, "bytes": len(body)}, None))
            self._cond.notify_all()
        return web.Response(text=f"OK - {len(body)}")

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    async def _response_url(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        params["_key"] = request.match_info["key"]
        with self._cond:
            self.requests.append(PeerRequest("response_url", params, None))
            self._cond.notify_all()
        if "blocks" in params and block_kit_errors(params["blocks"]):
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": len(self._sockets),
                    "debug_info": {"host": "slack-peer", "approximate_connection_time": 3600},
                    "connection_info": {"app_id": "A0DEALPILOT"},
                }
            )
        )
        with self._cond:
            self.hellos_sent += 1
            self._cond.notify_all()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                if "envelope_id" in data:
                    with self._cond:
                        self.acks[data["envelope_id"]] = Ack(data["envelope_id"], data.get("payload"), time.monotonic())
                        self._cond.notify_all()
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
        return ws

    # --- Web API methods -------------------------------------------------------------------------------
    def _next_ts(self) -> str:
        return f"{1700000000 + next(self._ts)}.{next(self._ts):06d}"

    def _m_auth_test(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://northstar.slack.example/",
            "team": "Northstar",
            "team_id": self.team_id,
            "user": "dealpilot",
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_apps_connections_open(self, _p: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            self.connections_opened += 1
            ticket = self.connections_opened
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link?ticket={ticket}"}

    def _post(self, p: dict[str, Any], **extra: Any) -> dict[str, Any]:
        channel = p.get("channel", "")
        ts = self._next_ts()
        message = {"type": "message", "ts": ts, "text": p.get("text", ""), "bot_id": BOT_ID, "user": BOT_USER_ID, **extra}
        # Slack gives every message blocks; plain text becomes one rich_text block.
        message["blocks"] = p.get("blocks") or [
            {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": message["text"]}]}]}
        ]
        if p.get("metadata"):
            message["metadata"] = p["metadata"]
        if p.get("thread_ts"):
            message["thread_ts"] = p["thread_ts"]
        with self._cond:
            self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not (p.get("text") or p.get("blocks")):
            return {"ok": False, "error": "no_text"}
        if "blocks" in p and (errors := block_kit_errors(p["blocks"])):
            return {"ok": False, "error": "invalid_blocks", "errors": errors}
        return self._post(p)

    def _m_chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        if "blocks" in p and (errors := block_kit_errors(p["blocks"])):
            return {"ok": False, "error": "invalid_blocks", "errors": errors}
        return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts"), "text": p.get("text", "")}

    def _m_chat_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts")}

    def _m_chat_startStream(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("thread_ts"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._post({**p, "text": ""}, streaming=True)

    def _m_chat_appendStream(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts")}

    def _m_chat_stopStream(self, p: dict[str, Any]) -> dict[str, Any]:
        if "blocks" in p and (errors := block_kit_errors(p["blocks"])):
            return {"ok": False, "error": "invalid_blocks", "errors": errors}
        return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts"), "message": {"ts": p.get("ts")}}

    def _m_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(p.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _m_users_lookupByEmail(self, p: dict[str, Any]) -> dict[str, Any]:
        wanted = str(p.get("email", "")).lower()
        user = next((u for u in self.users.values() if str(u["profile"].get("email", "")).lower() == wanted), None)
        return {"ok": True, "user": user} if user else {"ok": False, "error": "users_not_found"}

    def _m_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        users = str(p.get("users", ""))
        return {"ok": True, "channel": {"id": "D" + users.split(",")[0].lstrip("U")}}

    def _m_conversations_info(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = str(p.get("channel", ""))
        return {"ok": True, "channel": {"id": channel, "is_im": channel.startswith("D"), "is_member": True}}

    def _m_conversations_replies(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = p.get("channel", ""), p.get("ts")
        with self._cond:
            found = [m for m in self.messages.get(channel, []) if m.get("thread_ts") == ts or m.get("ts") == ts]
        return {"ok": True, "messages": found, "has_more": False}

    def _m_conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            found = list(reversed(self.messages.get(p.get("channel", ""), [])))
        return {"ok": True, "messages": found, "has_more": False}

    def _m_views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        view = p.get("view") or {}
        if errors := block_kit_errors(view.get("blocks", []), max_blocks=100):
            return {"ok": False, "error": "invalid_blocks", "errors": errors}
        return {"ok": True, "view": {"id": "V" + uuid.uuid4().hex[:8].upper(), **view}}

    def _m_assistant_threads_setStatus(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    def _m_assistant_threads_setSuggestedPrompts(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    def _m_assistant_threads_setTitle(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}
