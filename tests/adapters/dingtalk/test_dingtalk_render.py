"""Reply -> DingTalk markdown, byte-bounded splitting and card buttons."""

from __future__ import annotations

import json

import pytest

from bot.messages import (
    Button,
    Buttons,
    Citation,
    Citations,
    Context,
    Fields,
    Header,
    Image,
    Reply,
    Section,
    Table,
)
from bot.render.dingtalk import (
    MAX_PARAM_BYTES,
    ai_card_data,
    card_buttons,
    json_size,
    split_markdown,
    title_of,
    to_dingtalk_markdown,
    to_markdown,
)


def test_slack_style_markup_becomes_dingtalk_markdown() -> None:
    assert to_dingtalk_markdown("*风险* and _note_") == "**风险** and *note*"
    assert to_dingtalk_markdown("请看*重点*内容") == "请看**重点**内容"
    assert to_dingtalk_markdown("insight:log_touch stays") == "insight:log_touch stays"
    assert to_dingtalk_markdown("**already bold**") == "**already bold**"
    assert to_dingtalk_markdown("<https://x.example/a|ACME>") == "[ACME](https://x.example/a)"
    # single newlines become hard breaks; bullets become list items
    assert to_dingtalk_markdown("• one\n• two") == "- one  \n- two"


def test_reply_blocks_render_without_tables_or_buttons() -> None:
    reply = Reply(
        text="ACME summary",
        language="zh",
        blocks=[
            Header(text="艾克米制造"),
            Section(text="*风险*\n采购频次下降"),
            Fields(items=[("负责人", "李娜"), ("阶段", "proposal")]),
            Table(title="商机", columns=["名称", "阶段", "金额"], rows=[["ACME 扩容", "proposal", "1,000"]]),
            Image(path="/tmp/gantt.png", alt="甘特图", fallback_text="12 城交付计划"),
            Buttons(buttons=[Button(text="刷新", action_id="insight:brief", value="1")]),
            Citations(
                items=[
                    Citation(source="crm://account/1", title="艾克米制造"),
                    Citation(source="doc", title="案例", url="https://kb.example/c"),
                ]
            ),
            Context(text="数据截至今天"),
        ],
    )
    md = to_markdown(reply)
    assert md.startswith("### 艾克米制造")
    assert "**风险**" in md
    assert "- **负责人**: 李娜" in md
    assert "- **ACME 扩容** — 阶段: proposal · 金额: 1,000" in md
    assert "|" not in md  # no markdown tables: DingTalk cannot show them
    assert "[图] 12 城交付计划" in md
    assert "刷新" not in md  # buttons go to the card
    assert "**来源**" in md and "2. [案例](https://kb.example/c)" in md
    assert md.rstrip().endswith("> 数据截至今天")
    assert title_of(reply) == "艾克米制造"


def test_english_reply_uses_english_labels() -> None:
    reply = Reply(text="x", language="en", blocks=[Citations(items=[Citation(source="s", title="Deal")])])
    assert "**Sources**" in to_markdown(reply)


def test_text_only_reply_falls_back_to_text() -> None:
    assert to_markdown(Reply(text="*hi*", blocks=[])) == "**hi**"


def test_short_text_is_one_part() -> None:
    assert split_markdown("hello") == ["hello"]


def test_long_chinese_answer_is_split_under_the_byte_limit() -> None:
    paragraph = "艾克米制造的采购频次下降，竞品提及增加。" * 40  # ~2,400 bytes
    text = "\n\n".join(f"第{i}段 {paragraph}" for i in range(12))  # ~29 KB
    parts = split_markdown(text, language="zh")
    assert len(parts) >= 2
    assert all(json_size(p) <= MAX_PARAM_BYTES for p in parts)
    assert "".join(p.replace("\n", "") for p in parts) == text.replace("\n", "")  # nothing lost, order kept


def test_one_huge_line_is_cut_between_characters() -> None:
    text = "网" * 12_000  # 36,000 bytes, no line breaks
    parts = split_markdown(text)
    assert all(json_size(p) <= MAX_PARAM_BYTES for p in parts)
    assert "".join(parts) == text


def test_beyond_max_parts_the_answer_is_cut_with_a_note() -> None:
    text = "\n\n".join("x" * 900 for _ in range(20))
    parts = split_markdown(text, limit_bytes=1000, max_parts=3, language="en")
    assert len(parts) == 3
    assert all(json_size(p) <= 1000 for p in parts)
    assert "Answer too long" in parts[-1]
    zh = split_markdown(text, limit_bytes=1000, max_parts=3, language="zh")
    assert "内容过长" in zh[-1]


def test_json_escapes_count_towards_the_limit() -> None:
    text = "\n".join('"q"' for _ in range(3000))  # 12,000 characters, ~21,000 bytes once escaped
    parts = split_markdown(text)
    assert len(parts) == 2
    assert all(len(json.dumps(p, ensure_ascii=False).encode()) - 2 <= MAX_PARAM_BYTES for p in parts)


def test_bad_limit_is_rejected() -> None:
    with pytest.raises(ValueError):
        split_markdown("x", limit_bytes=10)


def test_card_buttons_carry_action_value_and_context() -> None:
    buttons = card_buttons(
        [Button(text="记录一次跟进", action_id="insight:log_touch", value="42", style="primary")],
        extra={"cid": "cid1", "ctype": "2"},
    )
    assert buttons == [
        {
            "text": "记录一次跟进",
            "color": "blue",
            "id": "insight:log_touch",
            "request": True,
            "params": {"action_id": "insight:log_touch", "value": "42", "cid": "cid1", "ctype": "2"},
        }
    ]
    data = ai_card_data(content="hi", title="T", status="3", buttons=buttons)
    assert data["flowStatus"] == "3" and data["msgContent"] == "hi"
    assert all(isinstance(v, str) for v in data.values())
    assert json.loads(data["sys_full_json_obj"])["msgButtons"][0]["id"] == "insight:log_touch"
