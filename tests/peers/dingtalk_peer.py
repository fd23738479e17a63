"""A local DingTalk: Stream gateway, OpenAPI endpoints and session-webhook receiver, for tests and the bench.

It speaks the wire protocol the real ``dingtalk_stream`` SDK expects, so the bot under test runs
unmodified except for its API URL:

* ``POST /v1.0/gateway/connections/open`` checks the credentials and issues a single-use ticket;
* ``GET /connect?ticket=...`` is the websocket gateway: it pushes SYSTEM (``ping``, ``disconnect``)
  and CALLBACK frames (bot messages, card button presses) and records every ack;
* ``POST /v1.0/oauth2/accessToken`` issues access tokens with a configurable lifetime;
* robot sends (``groupMessages/send``, ``oToMessages/batchSend``) and the card endpoints
  (``/v1.0/card/instances`` create/update, ``.../deliver``, ``/v1.0/card/streaming``) check the token
  and the order of card calls, and enforce the 15,000-byte ``msgParam`` limit;
* ``POST /robot/sendBySession?session=...`` is the session webhook: it refuses expired sessions.

Faults for tests: ``fail_next`` (e.g. 429 with ``Retry-After``), ``go_silent`` (stop reading and
writing on the open connection without closing it), ``push_disconnect``.

The peer runs its own event loop in a daemon thread; every public method is called from the
test's thread and is thread-safe.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_TOPIC = "/v1.0/im/bot/messages/get"
CARD_TOPIC = "/v1.0/card/instances/callback"
MSG_PARAM_LIMIT = 15_000


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Call:
    """One HTTP request the peer received."""

    method: str
    path: str
    body: dict[str, Any]
    token: str | None
    at: float
    status: int = 200
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class Ack:
    message_id: str
    code: int
    message: str
    data: Any
    at: float


@dataclass
class Card:
    """What the peer knows about one card instance (keyed by ``outTrackId``)."""

    out_track_id: str
    template: str
    data: dict[str, str]
    events: list[str] = field(default_factory=list)
    streamed: list[str] = field(default_factory=list)
    finalized: bool = False
    statuses: list[str] = field(default_factory=list)
    space: str | None = None
    at_user_ids: dict[str, str] = field(default_factory=dict)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        full = json.loads(self.data.get("sys_full_json_obj") or "{}")
        return list(full.get("msgButtons") or [])


class PeerError(AssertionError):
    pass


class DingTalkPeer:
    """The local DingTalk. Use as a context manager, or ``start()`` / ``stop()``.

    Args:
        client_id / client_secret: the credentials the bot must present.
        token_ttl_s: ``expireIn`` of issued access tokens.
        ping_interval_s: SYSTEM ping period on every connection (``None``: only on ``push_ping``).
        corp_id: the organisation id put on bot messages.
    """

    def __init__(
        self,
        *,
        client_id: str = "ding-test-client",
        client_secret: str = "ding-test-secret",
        token_ttl_s: int = 7200,
        ping_interval_s: float | None = 0.2,
        corp_id: str = "dingcorp-northstar",
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_ttl_s = token_ttl_s
        self.ping_interval_s = ping_interval_s
        self.corp_id = corp_id
        self.robot_code = client_id
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._cond = threading.Condition()
        # state (guarded by _cond)
        self.tickets_issued: list[str] = []
        self._tickets: set[str] = set()
        self.rejected_tickets = 0
        self.connections = 0
        self._ws: web.WebSocketResponse | None = None
        self._ws_tasks: list[asyncio.Task[Any]] = []
        self.subscriptions: list[list[dict[str, str]]] = []
        self.tokens: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self.calls: list[Call] = []
        self.acks: dict[str, Ack] = {}
        self.ping_acks = 0
        self.pushed: dict[str, float] = {}  # frame message id -> push time (perf_counter)
        self.sessions: dict[str, int] = {}  # session token -> expiry (epoch ms)
        self.webhook_posts: list[Call] = []
        self.cards: dict[str, Card] = {}
        self.messages: list[dict[str, Any]] = []  # robot messages sent through the OpenAPI
        self._failures: list[
            tuple[str, int, int, float | None]
        ] = []  # (path prefix, status, remaining, retry_after)
        self._silent = False
        self.contacts: dict[str, dict[str, str]] = {}  # staff id -> contact record (userid, name, org_email)

    # --- lifecycle ------------------------------------------------------------------------------
    def __enter__(self) -> DingTalkPeer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DingTalkPeer:
        started = threading.Event()

        def _main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._serve())
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._thread = threading.Thread(target=_main, name="dingtalk-peer", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("DingTalk peer did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Subclasses add endpoints here (aiohttp freezes the route table once the server runs)."""

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_post("/v1.0/gateway/connections/open", self._open_connection)
        app.router.add_get("/connect", self._gateway)
        app.router.add_post("/v1.0/oauth2/accessToken", self._access_token)
        app.router.add_post("/v1.0/robot/groupMessages/send", self._group_send)
        app.router.add_post("/v1.0/robot/oToMessages/batchSend", self._o2o_send)
        app.router.add_post("/v1.0/card/instances", self._card_create)
        app.router.add_put("/v1.0/card/instances", self._card_update)
        app.router.add_post("/v1.0/card/instances/deliver", self._card_deliver)
        app.router.add_put("/v1.0/card/streaming", self._card_stream)
        app.router.add_post("/robot/sendBySession", self._session_webhook)
        app.router.add_post("/topapi/v2/user/get", self._user_get)
        self.add_routes(app.router)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _shutdown(self) -> None:
        for task in self._ws_tasks:
            task.cancel()
        if self._ws is not None:
            transport = self._ws_transport(self._ws)
            if transport is not None:
                transport.abort()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- test controls --------------------------------------------------------------------------
    def fail_next(
        self, path: str, *, status: int = 429, times: int = 1, retry_after: float | None = None
    ) -> None:
        """Answer the next ``times`` requests whose path starts with ``path`` with ``status``."""
        with self._cond:
            self._failures.append((path, status, times, retry_after))

    def new_session(self, *, ttl_s: float = 3600) -> tuple[str, int]:
        """A session webhook URL and its expiry (epoch ms), as DingTalk puts on a bot message."""
        token = uuid.uuid4().hex
        expires = _now_ms() + int(ttl_s * 1000)
        with self._cond:
            self.sessions[token] = expires
        return f"{self.base_url}/robot/sendBySession?session={token}", expires

    def bot_message(
        self,
        *,
        text: str | None = None,
        staff_id: str,
        conversation_type: str = "2",
        conversation_id: str | None = None,
        msg_id: str | None = None,
        nick: str = "",
        rich_text: list[dict[str, str]] | None = None,
        webhook_ttl_s: float = 3600,
    ) -> dict[str, Any]:
        """The data of a ``/v1.0/im/bot/messages/get`` callback, shaped like DingTalk's."""
        webhook, expires = self.new_session(ttl_s=webhook_ttl_s)
        cid = conversation_id or (
            "cidGroupEastSales==" if conversation_type == "2" else f"cid1to1{staff_id}=="
        )
        data: dict[str, Any] = {
            "conversationId": cid,
            "chatbotCorpId": self.corp_id,
            "chatbotUserId": "$:LWCP_v1:$dealpilotbot",
            "msgId": msg_id or "msg" + uuid.uuid4().hex,
            "senderNick": nick or staff_id,
            "isAdmin": False,
            "senderStaffId": staff_id,
            "sessionWebhookExpiredTime": expires,
            "createAt": _now_ms(),
            "senderCorpId": self.corp_id,
            "conversationType": conversation_type,
            "senderId": f"$:LWCP_v1:${staff_id}",
            "sessionWebhook": webhook,
            "robotCode": self.robot_code,
        }
        if conversation_type == "2":
            data["conversationTitle"] = "华东销售群"
            data["isInAtList"] = True
            data["atUsers"] = [{"dingtalkId": "$:LWCP_v1:$dealpilotbot"}]
        if rich_text is not None:
            data["msgtype"] = "richText"
            data["content"] = {"richText": rich_text}
        else:
            data["msgtype"] = "text"
            data["text"] = {"content": text or ""}
        return data

    def push_bot_message(self, data: dict[str, Any] | None = None, **kwargs: Any) -> str:
        """Push a bot-message CALLBACK frame; returns the frame's message id (the ack's key)."""
        return self.push_callback(BOT_TOPIC, data if data is not None else self.bot_message(**kwargs))

    def press(self, out_track_id: str, *, button: int = 0, user: str, space: str | None = None) -> str:
        """Press button ``button`` of a card the bot delivered; pushes the card CALLBACK frame."""
        with self._cond:
            card = self.cards.get(out_track_id)
            if card is None or "deliver" not in card.events:
                raise PeerError(f"no delivered card {out_track_id}")
            spec = card.buttons[button]
            space_id = space or card.space or ""
        space_type, _, space_value = space_id.partition(".")
        data = {
            "extension": "{}",
            "corpId": self.corp_id,
            "userId": user,
            "type": "actionCallback",
            "outTrackId": out_track_id,
            "spaceType": space_type.rsplit("/", 1)[-1],
            "spaceId": space_value,
            "content": json.dumps(
                {"cardPrivateData": {"actionIds": [spec["id"]], "params": spec.get("params", {})}},
                ensure_ascii=False,
            ),
        }
        return self.push_callback(CARD_TOPIC, data)

    def push_callback(self, topic: str, data: dict[str, Any], *, message_id: str | None = None) -> str:
        message_id = message_id or uuid.uuid4().hex
        frame = {
            "specVersion": "1.0",
            "type": "CALLBACK",
            "headers": {
                "appId": "app-" + self.client_id,
                "connectionId": "conn",
                "contentType": "application/json",
                "messageId": message_id,
                "time": str(_now_ms()),
                "topic": topic,
            },
            "data": json.dumps(data, ensure_ascii=False),
        }
        self._push(frame, message_id)
        return message_id

    def push_ping(self) -> str:
        message_id = uuid.uuid4().hex
        self._push(self._system("ping", message_id, {"opaque": uuid.uuid4().hex}), message_id)
        return message_id

    def push_disconnect(self) -> None:
        """Tell the client to reconnect (DingTalk does this before a gateway restarts)."""
        message_id = uuid.uuid4().hex
        self._push(self._system("disconnect", message_id, {"reason": "gateway restart"}), message_id)

    def go_silent(self) -> None:
        """Stop reading, answering pings and pushing on the open connection, without closing it."""
        self._call(self._silence())

    # --- waiting and reading ----------------------------------------------------------------------
    def wait_until(self, predicate: Callable[[DingTalkPeer], Any], *, timeout: float = 10.0) -> Any:
        """Wait until ``predicate(peer)`` is truthy (evaluated under the peer's lock); return its value."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate(self)
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"peer condition not met within {timeout}s")
                self._cond.wait(min(left, 0.05))

    def calls_to(self, path: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.path == path]

    def expire_sessions(self) -> None:
        """Expire every session webhook now (a message's own expiry time still says it is valid)."""
        with self._cond:
            for session in self.sessions:
                self.sessions[session] = 0

    # --- websocket gateway ----------------------------------------------------------------------
    @staticmethod
    def _system(topic: str, message_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "specVersion": "1.0",
            "type": "SYSTEM",
            "headers": {
                "contentType": "application/json",
                "messageId": message_id,
                "time": str(_now_ms()),
                "topic": topic,
            },
            "data": json.dumps(data),
        }

    def _push(self, frame: dict[str, Any], message_id: str) -> None:
        with self._cond:
            self.pushed[message_id] = time.perf_counter()
        self._call(self._send(frame))

    def _call(self, coro: Any) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _send(self, frame: dict[str, Any]) -> None:
        ws = self._ws
        if ws is None or ws.closed:
            raise PeerError("no open stream connection")
        await ws.send_str(json.dumps(frame, ensure_ascii=False))

    @staticmethod
    def _ws_transport(ws: web.WebSocketResponse) -> Any:
        req = getattr(ws, "_req", None)
        return req.transport if req is not None else None

    async def _silence(self) -> None:
        ws = self._ws
        with self._cond:
            self._silent = True
        if ws is not None:
            transport = self._ws_transport(ws)
            if transport is not None:
                transport.pause_reading()

    async def _open_connection(self, request: web.Request) -> web.Response:
        body = await request.json()
        call = self._record(request, body, token=None)
        if body.get("clientId") != self.client_id or body.get("clientSecret") != self.client_secret:
            call.status = 401
            return web.json_response(
                {"code": "InvalidAuthentication", "message": "bad client credentials"}, status=401
            )
        ticket = uuid.uuid4().hex
        with self._cond:
            self._tickets.add(ticket)
            self.tickets_issued.append(ticket)
            self.subscriptions.append(list(body.get("subscriptions") or []))
            self._cond.notify_all()
        return web.json_response({"endpoint": f"ws://127.0.0.1:{self.port}/connect", "ticket": ticket})

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        with self._cond:
            valid = ticket in self._tickets
            self._tickets.discard(ticket)  # single use
            if not valid:
                self.rejected_tickets += 1
        if not valid:
            return web.json_response({"code": "InvalidTicket"}, status=403)
        ws = web.WebSocketResponse(autoping=True, heartbeat=None, max_msg_size=0)
        await ws.prepare(request)
        old = self._ws
        with self._cond:
            self._ws = ws
            self._silent = False
            self.connections += 1
            self._cond.notify_all()
        if old is not None and not old.closed:
            await old.close()
        pinger = asyncio.create_task(self._ping_loop(ws))
        self._ws_tasks.append(pinger)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_ack(json.loads(msg.data))
        finally:
            pinger.cancel()
            with self._cond:
                if self._ws is ws:
                    self._ws = None
                self._cond.notify_all()
        return ws

    async def _ping_loop(self, ws: web.WebSocketResponse) -> None:
        if self.ping_interval_s is None:
            return
        while not ws.closed:
            await asyncio.sleep(self.ping_interval_s)
            if self._silent and self._ws is ws:
                return
            try:
                await ws.send_str(json.dumps(self._system("ping", uuid.uuid4().hex, {"opaque": "x"})))
            except (ConnectionError, RuntimeError):
                return

    def _on_ack(self, frame: dict[str, Any]) -> None:
        headers = frame.get("headers") or {}
        message_id = str(headers.get("messageId", ""))
        with self._cond:
            if message_id in self.pushed:
                data = frame.get("data")
                try:
                    data = json.loads(data) if isinstance(data, str) else data
                except ValueError:
                    pass
                self.acks.setdefault(
                    message_id,
                    Ack(
                        message_id=message_id,
                        code=int(frame.get("code", 0)),
                        message=str(frame.get("message", "")),
                        data=data,
                        at=time.perf_counter(),
                    ),
                )
            else:
                self.ping_acks += 1
            self._cond.notify_all()

    # --- HTTP helpers ---------------------------------------------------------------------------
    def _record(self, request: web.Request, body: dict[str, Any], *, token: str | None) -> Call:
        call = Call(
            method=request.method,
            path=request.path,
            body=body,
            token=token,
            at=time.perf_counter(),
            query=dict(request.query),
        )
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
        return call

    def _injected(self, path: str) -> web.Response | None:
        with self._cond:
            for i, (prefix, status, remaining, retry_after) in enumerate(self._failures):
                if path.startswith(prefix) and remaining > 0:
                    self._failures[i] = (prefix, status, remaining - 1, retry_after)
                    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
                    code = (
                        "Forbidden.AccessDenied.QpsLimitForApi"
                        if status in (403, 429)
                        else "ServiceUnavailable"
                    )
                    return web.json_response(
                        {"code": code, "message": "injected failure"}, status=status, headers=headers
                    )
        return None

    async def _authorised(self, request: web.Request) -> tuple[dict[str, Any], Call, web.Response | None]:
        body = await request.json()
        token = request.headers.get("x-acs-dingtalk-access-token")
        call = self._record(request, body, token=token)
        injected = self._injected(request.path)
        if injected is not None:
            call.status = injected.status
            return body, call, injected
        with self._cond:
            expiry = self.tokens.get(token or "")
        if expiry is None or expiry < time.time():
            call.status = 401
            return (
                body,
                call,
                web.json_response(
                    {"code": "InvalidAuthentication", "message": "不合法的access_token"}, status=401
                ),
            )
        return body, call, None

    @staticmethod
    def _bad(call: Call, code: str, message: str, status: int = 400) -> web.Response:
        call.status = status
        return web.json_response({"code": code, "message": message}, status=status)

    # --- OpenAPI --------------------------------------------------------------------------------
    async def _access_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        call = self._record(request, {"appKey": body.get("appKey"), "appSecret": "***"}, token=None)
        injected = self._injected(request.path)
        if injected is not None:
            call.status = injected.status
            return injected
        if body.get("appKey") != self.client_id or body.get("appSecret") != self.client_secret:
            return self._bad(call, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
        token = "tok-" + uuid.uuid4().hex
        with self._cond:
            self.tokens[token] = time.time() + self.token_ttl_s
        return web.json_response({"accessToken": token, "expireIn": self.token_ttl_s})

    def expire_tokens(self) -> None:
        """Make every issued token invalid now (the next OpenAPI call gets 401)."""
        with self._cond:
            for token in self.tokens:
                self.tokens[token] = 0

    def _robot_message(self, call: Call, body: dict[str, Any], kind: str) -> web.Response | None:
        if body.get("robotCode") != self.robot_code:
            return self._bad(call, "invalidRobotCode", "robotCode 不正确")
        param = body.get("msgParam")
        if not isinstance(param, str) or body.get("msgKey") not in ("sampleMarkdown", "sampleText"):
            return self._bad(call, "invalidParameter", "msgKey/msgParam 缺失")
        if len(param.encode("utf-8")) > MSG_PARAM_LIMIT:
            return self._bad(call, "param.tooLong", "msgParam 超过 15000 字节")
        with self._cond:
            self.messages.append({"kind": kind, **body, "param": json.loads(param)})
            self._cond.notify_all()
        return None

    async def _group_send(self, request: web.Request) -> web.Response:
        body, call, error = await self._authorised(request)
        if error is not None:
            return error
        if not body.get("openConversationId"):
            return self._bad(call, "invalidParameter", "openConversationId 缺失")
        refused = self._robot_message(call, body, "group")
        return refused or web.json_response({"processQueryKey": uuid.uuid4().hex})

    async def _o2o_send(self, request: web.Request) -> web.Response:
        body, call, error = await self._authorised(request)
        if error is not None:
            return error
        if not body.get("userIds"):
            return self._bad(call, "invalidParameter", "userIds 缺失")
        refused = self._robot_message(call, body, "o2o")
        return refused or web.json_response(
            {"processQueryKey": uuid.uuid4().hex, "invalidStaffIdList": [], "flowControlledStaffIdList": []}
        )

    async def _card_create(self, request: web.Request) -> web.Response:
        body, call, error = await self._authorised(request)
        if error is not None:
            return error
        out_track_id = body.get("outTrackId")
        data = (body.get("cardData") or {}).get("cardParamMap")
        if not out_track_id or not body.get("cardTemplateId") or not isinstance(data, dict):
            return self._bad(call, "invalidParameter", "outTrackId/cardTemplateId/cardData 缺失")
        if not all(isinstance(v, str) for v in data.values()):
            return self._bad(call, "invalidParameter", "cardParamMap 的值必须是字符串")
        with self._cond:
            if out_track_id in self.cards:
                return self._bad(call, "cardExists", "outTrackId 已存在", status=409)
            card = Card(out_track_id=out_track_id, template=body["cardTemplateId"], data=dict(data))
            card.events.append("create")
            if "flowStatus" in data:
                card.statuses.append(data["flowStatus"])
            self.cards[out_track_id] = card
            self._cond.notify_all()
        return web.json_response({"success": True, "result": out_track_id})

    async def _card_deliver(self, request: web.Request) -> web.Response:
        body, call, error = await self._authorised(request)
        if error is not None:
            return error
        with self._cond:
            card = self.cards.get(body.get("outTrackId", ""))
            if card is None:
                return self._bad(call, "cardNotFound", "卡片不存在", status=404)
            space = str(body.get("openSpaceId", ""))
            if not space.startswith(("dtv1.card//IM_GROUP.", "dtv1.card//IM_ROBOT.")):
                return self._bad(call, "invalidParameter", "openSpaceId 不正确")
            card.space = space
            card.at_user_ids = dict((body.get("imGroupOpenDeliverModel") or {}).get("atUserIds") or {})
            card.events.append("deliver")
            self._cond.notify_all()
        return web.json_response({"success": True, "result": [{"spaceId": space, "success": True}]})

    async def _card_update(self, request: web.Request) -> web.Response:
        body, call, error = await self._authorised(request)
        if error is not None:
            return error
        with self._cond:
            card = self.cards.get(body.get("outTrackId", ""))
            if card is None:
                return self._bad(call, "cardNotFound", "卡片不存在", status=404)
            data = (body.get("cardData") or {}).get("cardParamMap") or {}
            card.data.update(data)
            card.events.append("update")
            if "flowStatus" in data:
                card.statuses.append(data["flowStatus"])
            self._cond.notify_all()
        return web.json_response({"success": True})

    async def _card_stream(self, request: web.Request) -> web.Response:
        body, call, error = await self._authorised(request)
        if error is not None:
            return error
        with self._cond:
            card = self.cards.get(body.get("outTrackId", ""))
            if card is None:
                return self._bad(call, "cardNotFound", "卡片不存在", status=404)
            if "deliver" not in card.events:
                return self._bad(call, "cardNotDelivered", "卡片尚未投放")
            if card.finalized:
                return self._bad(call, "streamFinished", "流式更新已结束", status=409)
            if not body.get("key") or not body.get("guid"):
                return self._bad(call, "invalidParameter", "key/guid 缺失")
            content = str(body.get("content", ""))
            if body.get("isFull", False) or not card.streamed:
                card.streamed.append(content)
            else:
                card.streamed.append(card.streamed[-1] + content)
            card.data[str(body["key"])] = card.streamed[-1]
            card.finalized = bool(body.get("isFinalize"))
            card.events.append("stream")
            self._cond.notify_all()
        return web.json_response({"success": True})

    # --- contacts (legacy oapi host; the token travels in the query) -------------------------------
    async def _user_get(self, request: web.Request) -> web.Response:
        body = await request.json()
        token = request.query.get("access_token")
        call = self._record(request, body, token=token)
        with self._cond:
            expiry = self.tokens.get(token or "")
            record = self.contacts.get(str(body.get("userid", "")))
        if expiry is None or expiry < time.time():
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        if record is None:
            call.status = 404
            return web.json_response({"errcode": 60121, "errmsg": "找不到该用户"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "result": record})

    # --- session webhook ------------------------------------------------------------------------
    async def _session_webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        call = self._record(request, body, token=None)
        injected = self._injected(request.path)
        if injected is not None:
            call.status = injected.status
            return injected
        session = request.query.get("session", "")
        with self._cond:
            expires = self.sessions.get(session)
        if expires is None or expires < _now_ms():
            return web.json_response({"errcode": 300001, "errmsg": "session webhook 已过期"})
        if body.get("msgtype") not in ("text", "markdown", "actionCard"):
            return web.json_response({"errcode": 40035, "errmsg": "不合法的参数"})
        with self._cond:
            self.webhook_posts.append(call)
            self._cond.notify_all()
        return web.json_response({"errcode": 0, "errmsg": "ok"})
