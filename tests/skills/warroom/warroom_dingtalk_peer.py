"""The local DingTalk plus what war rooms need: scene-group creation and the group top card.

The shared peer (``tests/peers/dingtalk_peer.py``) covers the stream, robot messages and cards;
here a subclass adds ``POST /topapi/im/chat/scenegroup/create`` (legacy ``oapi``: token in the
query, errors as ``errcode``) and accepts card delivery to a group's top box (``ONE_BOX``).
Our route is added through the shared peer's ``add_routes`` hook.
"""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import web
from peers.dingtalk_peer import DingTalkPeer


class WarRoomDingTalkPeer(DingTalkPeer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.groups: dict[str, dict[str, Any]] = {}
        self.top_cards: dict[str, list[str]] = {}
        self._group_ids = itertools.count(1)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/topapi/im/chat/scenegroup/create", self._scene_group_create)

    async def _scene_group_create(self, request: web.Request) -> web.Response:
        body = await request.json()
        token = request.query.get("access_token")
        call = self._record(request, body, token=token)
        with self._cond:
            expiry = self.tokens.get(token or "")
        import time

        if expiry is None or expiry < time.time():
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        if not body.get("title") or not body.get("template_id") or not body.get("owner_user_id"):
            return web.json_response({"errcode": 40035, "errmsg": "缺少参数"})
        members = [u for u in str(body.get("user_ids", "")).split(",") if u]
        if body["owner_user_id"] not in members:
            members.insert(0, body["owner_user_id"])
        cid = f"cidWarRoom{next(self._group_ids):03d}=="
        with self._cond:
            self.groups[cid] = {"title": body["title"], "owner": body["owner_user_id"], "members": members,
                                "template_id": body["template_id"]}
            self._cond.notify_all()
        call.status = 200
        return web.json_response({"errcode": 0, "errmsg": "ok", "success": True,
                                  "result": {"open_conversation_id": cid, "chat_id": "chat" + cid.strip("=")}})

    async def _card_deliver(self, request: web.Request) -> web.Response:
        body = await request.json()
        space = str(body.get("openSpaceId", ""))
        if not space.startswith("dtv1.card//ONE_BOX."):
            return await super()._card_deliver(request)
        body, call, error = await self._authorised(request)
        if error is not None:
            return error
        cid = space.removeprefix("dtv1.card//ONE_BOX.")
        with self._cond:
            card = self.cards.get(body.get("outTrackId", ""))
            if card is None:
                return self._bad(call, "cardNotFound", "卡片不存在", status=404)
            if cid not in self.groups or not (body.get("topOpenDeliverModel") or {}).get("expiredTimeMillis"):
                return self._bad(call, "invalidParameter", "吊顶卡片参数不正确")
            self.top_cards.setdefault(cid, []).append(card.out_track_id)
            card.events.append("top")
            self._cond.notify_all()
        return web.json_response({"success": True, "result": [{"spaceId": space, "success": True}]})
