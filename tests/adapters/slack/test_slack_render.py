"""Reply blocks -> Block Kit: every Slack limit holds, nothing is silently lost, a fallback is always set."""

from __future__ import annotations

from peers.slack_peer import block_kit_errors

from bot.messages import (
    Button,
    Buttons,
    Citation,
    Citations,
    Context,
    Divider,
    Fields,
    Header,
    Image,
    Reply,
    Section,
    Table,
)
from bot.render.slack import (
    MORE_ACTION_ID,
    base_action_id,
    mrkdwn_to_markdown,
    render_blocks,
    render_reply,
    to_markdown,
)


def test_a_simple_reply_renders_to_exact_block_kit() -> None:
    reply = Reply(
        text="ACME: renewal risk",
        blocks=[
            Header(text="ACME Manufacturing"),
            Section(text="*Orders* down 55% <vs> last quarter & rising competitor mentions"),
            Fields(items=[("Owner", "li.na"), ("Tier", "A")]),
            Buttons(buttons=[Button(text="Open deal", action_id="insight:deal", value="7", style="primary")]),
            Citations(items=[Citation(source="crm://account/1", title="ACME account", url="https://crm.example/a/1")]),
            Divider(),
        ],
    )
    message = render_reply(reply)
    assert message.text == "ACME: renewal risk"
    assert message.blocks == [
        {"type": "header", "text": {"type": "plain_text", "text": "ACME Manufacturing", "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Orders* down 55% &lt;vs&gt; last quarter &amp; rising competitor mentions"}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Owner*\nli.na"}, {"type": "mrkdwn", "text": "*Tier*\nA"}]},
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open deal", "emoji": True},
                                          "action_id": "insight:deal", "value": "7", "style": "primary"}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "📎 <https://crm.example/a/1|ACME account>"}]},
        {"type": "divider"},
    ]
    assert message.overflow == []


def test_long_section_is_split_under_3000_chars_without_losing_text() -> None:
    paragraphs = [f"第{i}段：" + "艾克米采购频率下降，竞品凌云通信提及上升。" * 12 for i in range(40)]
    text = "\n\n".join(paragraphs)
    blocks = render_blocks([Section(text=text)])
    assert len(blocks) > 1
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)
    assert "".join(b["text"]["text"] for b in blocks).replace("\n", "") == text.replace("\n", "")
    assert block_kit_errors(blocks) == []


def test_unbroken_long_text_is_cut_without_splitting_an_escaped_entity() -> None:
    text = ("a&" * 2999) + "end"
    blocks = render_blocks([Section(text=text)])
    assert block_kit_errors(blocks) == []
    assert all("&amp" not in b["text"]["text"][-4:] or b["text"]["text"].endswith("&amp;") for b in blocks)
    assert "".join(b["text"]["text"] for b in blocks).replace("&amp;", "&") == text


def test_more_than_ten_fields_are_split_into_sections_of_ten() -> None:
    items = [(f"Label {i}", "v" * 2500 if i == 3 else f"value {i}") for i in range(23)]
    blocks = render_blocks([Fields(items=items)])
    assert [len(b["fields"]) for b in blocks] == [10, 10, 3]
    assert block_kit_errors(blocks) == []


def test_buttons_are_grouped_by_25_clipped_to_75_chars_and_made_unique() -> None:
    buttons = [Button(text="打开商机 " + "很长的名字" * 30, action_id="insight:deal", value=str(i)) for i in range(30)]
    blocks = render_blocks([Buttons(buttons=buttons)])
    assert [len(b["elements"]) for b in blocks] == [25, 5]
    ids = [e["action_id"] for b in blocks for e in b["elements"]]
    assert len(set(ids)) == 30 and {base_action_id(i) for i in ids} == {"insight:deal"}
    assert all(len(e["text"]["text"]) <= 75 and e["text"]["text"].endswith("…") for b in blocks for e in b["elements"])
    assert block_kit_errors(blocks) == []


def test_table_is_monospace_aligned_for_chinese_and_split_with_header_repeated() -> None:
    table = Table(title="商机", columns=["名称", "金额"], rows=[["艾克米扩容", "1,200,000"], ["Globex", "2,500,000"]])
    [block] = render_blocks([table])
    assert block["text"]["text"] == "*商机*\n```\n名称        金额\n----------  ---------\n艾克米扩容  1,200,000\nGlobex      2,500,000\n```"
    big = Table(columns=["#", "account", "note"], rows=[[str(i), f"Account {i}", "x" * 38] for i in range(400)])
    blocks = render_blocks([big])
    assert len(blocks) > 5 and block_kit_errors(blocks[:50]) == []
    assert all(b["text"]["text"].startswith("```\n#") or b["text"]["text"].startswith("```\n#  ") for b in blocks)
    assert sum(b["text"]["text"].count("Account ") for b in blocks) == 400


def test_images_use_an_image_block_for_urls_and_a_description_otherwise() -> None:
    url_block, local_block = render_blocks(
        [
            Image(path="https://charts.example/gantt.png", alt="Gantt of 12 cities"),
            Image(path="/tmp/gantt.png", alt="Gantt", fallback_text="Milestones: 10 done, 1 late, 1 overdue"),
        ]
    )
    assert url_block == {"type": "image", "image_url": "https://charts.example/gantt.png", "alt_text": "Gantt of 12 cities"}
    assert local_block["type"] == "section" and "1 overdue" in local_block["text"]["text"]


def test_citations_go_to_context_blocks_of_at_most_ten() -> None:
    items = [Citation(source=f"doc://{i}", title=f"Case <{i}>") for i in range(12)]
    blocks = render_blocks([Citations(items=items)])
    assert [len(b["elements"]) for b in blocks] == [10, 2]
    assert blocks[0]["elements"][0]["text"] == "📎 Case &lt;0&gt;"


def test_more_than_50_blocks_pages_with_a_show_more_button() -> None:
    reply = Reply(text="many", language="zh", blocks=[Section(text=f"item {i}") for i in range(120)])
    message = render_reply(reply, more_value="tok123")
    assert len(message.blocks) == 50
    assert block_kit_errors(message.blocks) == []
    more = message.blocks[-1]["elements"][0]
    assert more["action_id"] == MORE_ACTION_ID and more["value"] == "tok123" and more["text"]["text"] == "显示更多"
    assert len(message.overflow) == 120 - 48
    assert message.overflow[0]["text"]["text"] == "item 48"


def test_fallback_text_is_never_empty() -> None:
    assert render_reply(Reply(text="", blocks=[Header(text="Title")])).text == "Title"
    empty = render_reply(Reply(text=""))
    assert empty.text and empty.blocks and block_kit_errors(empty.blocks) == []


def test_kitchen_sink_reply_is_accepted_by_the_peer_validator() -> None:
    blocks = [
        Header(text="H" * 400),
        Section(text="s" * 9000),
        Fields(items=[("k" * 3000, "v")] * 12),
        Table(columns=["c"] * 60, rows=[["x" * 80] * 60] * 30),
        Buttons(buttons=[Button(text="b", action_id="x:y")] * 60),
        Citations(items=[Citation(source="s", title="t" * 500)] * 25),
        Context(text="c" * 7000),
        Image(path="relative.png", alt="a"),
    ]
    message = render_reply(Reply(text="t" * 10000, blocks=blocks), more_value="tok")
    assert block_kit_errors(message.blocks) == []
    assert len(message.text) <= 3000


def test_markdown_for_streaming_uses_standard_bold() -> None:
    assert mrkdwn_to_markdown("*ACME* is at *risk* - 2*3") == "**ACME** is at **risk** - 2*3"
    reply = Reply(text="x", blocks=[Header(text="ACME"), Fields(items=[("Owner", "li.na")]), Context(text="as of today")])
    assert to_markdown(reply) == "**ACME**\n\n- **Owner**: li.na\n\n_as of today_"
