"""War rooms on DingTalk: a scene group per deal, the live card as an interactive card kept on top.

* the room is a scene group (``/topapi/im/chat/scenegroup/create``, the API for groups an app
  creates from a template; it answers the ``open_conversation_id`` the robot posts to);
* every post is an interactive card delivered into the group (``/v1.0/card/instances`` then
  ``.../deliver`` to ``IM_GROUP``), so it can be edited in place later (``PUT /v1.0/card/instances``);
* pinning delivers the same card to the group's top box (``ONE_BOX``, the "吊顶" card);
* DingTalk cards show no local pictures, so ``upload_image`` answers ``None`` and the card's
  milestone table is the timeline.

It knows DingTalk and nothing about deals. Registered by ``DingTalkApp`` at start-up under the
runtime service ``room_platforms``.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import httpx

from bot.adapters.dingtalk.api import DEFAULT_API_URL, DingTalkApiError, OpenApi
from bot.errors import ServiceUnavailable
from bot.messages import Reply
from bot.render.dingtalk import AICardStatus, ai_card_data, card_buttons, split_markdown, title_of, to_markdown

log = logging.getLogger("dealpilot.dingtalk.rooms")

ROOM_PLATFORMS_SERVICE = "room_platforms"
DEFAULT_OAPI_URL = "https://oapi.dingtalk.com"
SCENE_GROUP_PATH = "/topapi/im/chat/scenegroup/create"
TOP_CARD_DAYS = 90
TITLE_CHARS = 50


def oapi_url_for(api_url: str) -> str:
    """The legacy ``oapi`` host: DingTalk's own next to ``api.dingtalk.com``, else the same host (a gateway/peer)."""
    return DEFAULT_OAPI_URL if api_url.rstrip("/") == DEFAULT_API_URL else api_url.rstrip("/")


class DingTalkRooms:
    """The room platform for one DingTalk app.

    Args:
        api: the app's OpenAPI client (token, retries).
        robot_code: the robot that posts in the groups.
        template_id: the scene-group template configured for the app (``DEALPILOT_DINGTALK_SCENE_GROUP_TEMPLATE_ID``).
        oapi_url: where the legacy ``topapi`` lives.
    """

    platform = "dingtalk"

    def __init__(self, api: OpenApi, *, robot_code: str, template_id: str | None, oapi_url: str,
                 http: httpx.Client | None = None) -> None:
        self.api = api
        self.robot_code = robot_code
        self.template_id = template_id
        self.oapi_url = oapi_url.rstrip("/")
        self._http = http or httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0))

    # --- the room -----------------------------------------------------------------------------------
    def create_channel(self, name: str, member_user_ids: list[str]) -> str:
        if not self.template_id:
            raise ServiceUnavailable(
                zh="钉钉作战室需要配置场景群模板：请设置 DEALPILOT_DINGTALK_SCENE_GROUP_TEMPLATE_ID。",
                en="DingTalk war rooms need a scene-group template: set DEALPILOT_DINGTALK_SCENE_GROUP_TEMPLATE_ID.",
            )
        if not member_user_ids:
            raise ValueError("a scene group needs an owner")
        body = {
            "title": name[:TITLE_CHARS],
            "template_id": self.template_id,
            "owner_user_id": member_user_ids[0],
            "user_ids": ",".join(member_user_ids),
            "uuid": uuid.uuid4().hex,
            "searchable": 0,
            "validation_type": 1,
            "show_history_type": 1,
        }
        data = self._topapi(SCENE_GROUP_PATH, body)
        conversation = (data.get("result") or {}).get("open_conversation_id")
        if not conversation:
            raise DingTalkApiError(status=200, code="noConversation", message="scene group without id", path=SCENE_GROUP_PATH)
        return str(conversation)

    def _topapi(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A legacy ``oapi`` call: token in the query, errors in ``errcode``; one token refresh on 40014/88."""
        for attempt in range(2):
            token = self.api.tokens.get()
            response = self._http.post(self.oapi_url + path, params={"access_token": token}, json=body)
            data = response.json() if response.content else {}
            code = data.get("errcode", 0 if response.is_success else response.status_code)
            if code in (40014, 42001, 88) and attempt == 0:
                self.api.tokens.invalidate(token)
                continue
            if code not in (0, None) or not response.is_success:
                raise DingTalkApiError(status=response.status_code, code=str(code), message=str(data.get("errmsg", ""))[:200],
                                       path=path)
            return data
        raise AssertionError("unreachable")

    # --- cards ----------------------------------------------------------------------------------------
    def _card_data(self, channel: str, reply: Reply) -> dict[str, str]:
        content = split_markdown(to_markdown(reply), language=reply.language)[0]
        buttons = card_buttons(reply.actions, extra={"cid": channel, "ctype": "2"})
        return ai_card_data(content=content, title=title_of(reply), status=AICardStatus.FINISHED, buttons=buttons or None)

    def post(self, channel: str, reply: Reply) -> str:
        out_track_id = "wr" + uuid.uuid4().hex[:30]
        self.api.call("POST", "/v1.0/card/instances", {
            "cardTemplateId": _template(), "outTrackId": out_track_id, "cardData": {"cardParamMap": self._card_data(channel, reply)},
            "callbackType": "STREAM", "imGroupOpenSpaceModel": {"supportForward": True},
            "topOpenSpaceModel": {"spaceType": "ONE_BOX"},
        })
        self.api.call("POST", "/v1.0/card/instances/deliver", {
            "outTrackId": out_track_id, "userIdType": 1, "openSpaceId": f"dtv1.card//IM_GROUP.{channel}",
            "imGroupOpenDeliverModel": {"robotCode": self.robot_code},
        })
        return out_track_id

    def update(self, channel: str, message_ref: str, reply: Reply) -> None:
        self.api.call("PUT", "/v1.0/card/instances", {
            "outTrackId": message_ref, "cardData": {"cardParamMap": self._card_data(channel, reply)},
            "cardUpdateOptions": {"updateCardDataByKey": True},
        })

    def pin(self, channel: str, message_ref: str) -> None:
        self.api.call("POST", "/v1.0/card/instances/deliver", {
            "outTrackId": message_ref, "userIdType": 1, "openSpaceId": f"dtv1.card//ONE_BOX.{channel}",
            "topOpenDeliverModel": {"expiredTimeMillis": int((time.time() + TOP_CARD_DAYS * 86400) * 1000),
                                    "platforms": ["android", "ios", "win", "mac"]},
        })

    def upload_image(self, channel: str, path: str) -> str | None:
        return None  # cards cannot show a local PNG; the milestone table is the timeline

    def lookup_user(self, user: Any) -> str | None:
        return None  # staff ids come from the chat-identity table; DingTalk has no lookup by email for bots

    def close(self) -> None:
        self._http.close()


def _template() -> str:
    from bot.adapters.dingtalk.cards import AI_CARD_TEMPLATE_ID

    return AI_CARD_TEMPLATE_ID


def register(runtime: Any, api: OpenApi, *, robot_code: str, settings: Any) -> None:
    """Offer war rooms on DingTalk in this runtime (called once when the DingTalk app starts)."""
    rooms = DingTalkRooms(api, robot_code=robot_code, template_id=getattr(settings, "dingtalk_scene_group_template_id", None),
                          oapi_url=oapi_url_for(api.base_url))
    runtime.service(ROOM_PLATFORMS_SERVICE, dict)["dingtalk"] = rooms
