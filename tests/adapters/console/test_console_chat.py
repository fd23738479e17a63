"""The console REPL end to end: real input, rendered output, and live streaming from the LLM engine."""

from __future__ import annotations

import io
import json
from typing import Any

from pydantic import SecretStr
from rich.console import Console

from bot.adapters.console import answer_live, console_message, run_chat
from bot.runtime import Runtime
from peers.openai_peer import OpenAIPeer, tool_result_texts
from tests.conftest import make_settings


def _console(lines: list[str]) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, width=140, force_terminal=False, color_system=None)
    feed = iter(lines)

    def fake_input(prompt: str = "", **_: Any) -> str:  # the REPL's stdin, one typed line at a time
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    console.input = fake_input  # type: ignore[method-assign]
    return console, out


def test_repl_answers_in_the_language_of_each_question(runtime: Runtime) -> None:
    console, out = _console(["ACME 最近怎么样", "brief me on ACME"])
    run_chat(runtime, as_user="li.na", console=console)
    text = out.getvalue()
    assert "艾克米制造 · 客户简报" in text and "ACME Manufacturing · account brief" in text
    assert "采购频次" in text and "purchase frequency" in text


def test_repl_refuses_an_unknown_user(runtime: Runtime) -> None:
    console, out = _console([])
    run_chat(runtime, as_user="nobody", console=console)
    assert "Unknown user 'nobody'" in out.getvalue()


def _answer_from_tools(body: dict[str, Any]) -> dict[str, Any]:
    results = tool_result_texts(body)
    if not results:
        return {"tool_calls": [("find_accounts", '{"query": "ACME"}')]}
    acme = json.loads(results[-1])["data"][0]
    return {"content": f"{acme['name_en']} is owned by {acme['owner']}."}


def test_llm_answer_streams_into_the_console_then_prints_with_sources(demo_home) -> None:  # type: ignore[no-untyped-def]
    with OpenAIPeer([_answer_from_tools]) as peer:
        settings = make_settings(demo_home, llm_base_url=peer.base_url, llm_api_key=SecretStr("sk-peer-0123456789"),
                                 llm_model="peer")
        rt = Runtime(settings)
        out = io.StringIO()
        console = Console(file=out, width=140, force_terminal=True, color_system=None, record=True)
        try:
            reply = answer_live(rt, console_message("Who owns ACME?", user="li.na", thread="t-live"), console)
        finally:
            rt.close()
    assert reply.skill == "agent" and reply.text == "ACME Manufacturing is owned by 李娜 (li.na)."
    assert all(r.get("stream") for r in peer.requests)
    assert any(c.source.startswith("crm://account/") for c in reply.citations)
    shown = out.getvalue()
    assert "looking up" in shown.lower() or "…" in shown  # the status line while the tool ran
    assert "ACME Manufacturing is owned" in shown  # the answer was drawn live, before the final print
