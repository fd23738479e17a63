"""DingTalk callback payloads -> ``Message`` (text, rich text, commands, card presses, bad input)."""

from __future__ import annotations

import json

import pytest

from bot.adapters.dingtalk.events import (
    InvalidEvent,
    ReplyContext,
    action_from_card_callback,
    message_from_callback,
    split_command,
)


def _bot_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "conversationId": "cidGroup==",
        "chatbotCorpId": "dingcorp",
        "msgId": "msgA1",
        "senderNick": "李娜",
        "senderStaffId": "dt_li_na",
        "sessionWebhookExpiredTime": 2_000_000,
        "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=s1",
        "conversationType": "2",
        "msgtype": "text",
        "text": {"content": "  ACME 最近怎么样  "},
        "isInAtList": True,
    }
    data.update(overrides)
    return data


def test_group_text_message() -> None:
    inbound = message_from_callback(_bot_data())
    m = inbound.message
    assert (m.platform, m.workspace, m.channel, m.user) == ("dingtalk", "dingcorp", "cidGroup==", "dt_li_na")
    assert m.text == "ACME 最近怎么样" and m.command is None
    assert m.is_direct is False and m.event_id == "msgA1"
    assert inbound.event_key == "dingtalk:msgA1"
    ctx = inbound.context
    assert ctx.is_group and ctx.sender_staff_id == "dt_li_na" and ctx.sender_nick == "李娜"
    assert ctx.webhook_valid(1_000_000) and not ctx.webhook_valid(2_000_000)


def test_direct_message_and_corp_id_preference() -> None:
    m = message_from_callback(_bot_data(conversationType="1", corpId="corpX")).message
    assert m.is_direct is True and m.workspace == "corpX"


def test_rich_text_joins_text_pieces() -> None:
    data = _bot_data(
        msgtype="richText",
        content={"richText": [{"text": "brief me "}, {"downloadCode": "img"}, {"text": "on Globex"}]},
    )
    data.pop("text")
    assert message_from_callback(data).message.text == "brief me on Globex"


def test_picture_becomes_empty_text() -> None:
    data = _bot_data(msgtype="picture", content={"downloadCode": "abc"})
    data.pop("text")
    assert message_from_callback(data).message.text == ""


def test_slash_command_in_text() -> None:
    m = message_from_callback(_bot_data(text={"content": "/insight ACME"})).message
    assert (m.command, m.args) == ("insight", "ACME")
    assert split_command("/dealpilot help") == ("help", "")
    assert split_command("//not a command") == (None, "")
    assert split_command("hello /x") == (None, "")


@pytest.mark.parametrize("missing", ["msgId", "senderStaffId", "conversationId"])
def test_missing_fields_are_invalid(missing: str) -> None:
    data = _bot_data()
    data.pop(missing)
    with pytest.raises(InvalidEvent, match=missing):
        message_from_callback(data)


def test_unknown_conversation_type_is_invalid() -> None:
    with pytest.raises(InvalidEvent):
        message_from_callback(_bot_data(conversationType="9"))


def test_webhook_without_expiry_is_not_used() -> None:
    ctx = ReplyContext(
        conversation_type="1", conversation_id="c", sender_staff_id="u", session_webhook="https://x"
    )
    assert not ctx.webhook_valid(0)


def _card_data(
    params: dict[str, str] | None, action_ids: list[str] | None = None, **extra: object
) -> dict[str, object]:
    data: dict[str, object] = {
        "corpId": "dingcorp",
        "userId": "dt_li_na",
        "outTrackId": "dp1",
        "type": "actionCallback",
        "spaceType": "IM_GROUP",
        "spaceId": "cidSpace==",
        "content": json.dumps({"cardPrivateData": {"actionIds": action_ids or [], "params": params or {}}}),
    }
    data.update(extra)
    return data


def test_card_press_becomes_action() -> None:
    inbound = action_from_card_callback(
        _card_data({"action_id": "insight:brief", "value": "17", "cid": "cidGroup==", "ctype": "2"}),
        frame_id="frame9",
    )
    m = inbound.message
    assert m.action is not None and (m.action.skill, m.action.verb, m.action.value) == (
        "insight",
        "brief",
        "17",
    )
    assert m.channel == "cidGroup==" and m.user == "dt_li_na" and not m.is_direct
    assert inbound.event_key == "dingtalk:card:frame9"
    assert inbound.context.session_webhook is None


def test_card_press_falls_back_to_action_ids_and_space() -> None:
    inbound = action_from_card_callback(_card_data(None, ["warroom:open"]), frame_id="f")
    assert inbound.message.action is not None and inbound.message.action.action_id == "warroom:open"
    assert inbound.message.channel == "cidSpace==" and inbound.context.is_group


def test_card_press_without_action_or_user_is_invalid() -> None:
    with pytest.raises(InvalidEvent):
        action_from_card_callback(_card_data({"value": "1"}), frame_id="f")
    with pytest.raises(InvalidEvent):
        action_from_card_callback(_card_data({"action_id": "a:b"}, userId=""), frame_id="f")
    with pytest.raises(InvalidEvent):
        action_from_card_callback({"content": "{not json", "userId": "u"}, frame_id="f")
