"""Routing and the cross-cutting guarantees: bad input, identity, language, errors with a reference."""

from __future__ import annotations

from sqlmodel import func, select

from bot.messages import Message
from integrations.crm.local.models import Activity


def _activity_count(runtime) -> int:  # type: ignore[no-untyped-def]
    with runtime.crm.raw_session() as s:
        return s.exec(select(func.count()).select_from(Activity)).one()


def test_empty_message_gets_help_in_the_users_language(ask) -> None:
    assert "空消息" in ask("   ", user="li.na").text
    assert "empty" in ask("   ", user="bob.smith").text


def test_oversized_message_is_refused_clearly_in_chinese(ask) -> None:
    reply = ask("客户" * 10_000, user="li.na")
    assert reply.skill == "error" and "消息太长" in reply.text


def test_oversized_message_is_refused_clearly_in_english(ask) -> None:
    reply = ask("a" * 20_000, user="li.na")
    assert reply.skill == "error" and "too long" in reply.text


def test_sql_like_text_changes_nothing(ask, runtime) -> None:
    before = _activity_count(runtime)
    reply = ask("ACME'; DROP TABLE crm_account; --", user="li.na")
    assert reply.text
    assert _activity_count(runtime) == before
    assert ask("brief me on ACME", user="li.na").skill == "insight"


def test_emoji_only_message_gets_a_friendly_answer(ask) -> None:
    reply = ask("🤔🤔🤔", user="li.na")
    assert reply.skill == "help" and "Sorry" in reply.text


def test_unknown_command_is_explained(ask) -> None:
    reply = ask("/frobnicate now", user="li.na")
    assert "frobnicate" in reply.text and reply.skill == "error"


def test_unknown_user_is_asked_to_get_linked(runtime) -> None:
    reply = runtime.handle(Message(platform="slack", workspace="T1", channel="C1", user="U404", text="ACME 最近怎么样"))
    assert reply.skill == "identity" and "管理员" in reply.text


def test_unrecognised_question_lists_capabilities_in_chinese(ask) -> None:
    reply = ask("今天天气怎么样", user="li.na")
    assert reply.skill == "help" and reply.language == "zh" and "我可以帮你" in reply.text


def test_stale_button_is_explained(runtime) -> None:
    from tests.conftest import press

    reply = press(runtime, user="li.na", action_id="nosuchskill:do", value="1")
    assert "no longer valid" in reply.text


def test_skill_crash_answers_with_reference_and_logs_it(runtime, caplog) -> None:
    insight = runtime.skills["insight"]

    def boom(turn):  # type: ignore[no-untyped-def]
        raise RuntimeError("database exploded")

    insight.handle = boom  # a failing skill, not a mocked one under test: the router is under test
    reply = runtime.handle(Message(platform="console", user="li.na", text="brief me on ACME"))
    ref = reply.metadata["error_ref"]
    assert f"ref {ref}" in reply.text and "exploded" not in reply.text
    assert any(ref in r.getMessage() for r in caplog.records)


def test_follow_up_inherits_the_threads_account(ask) -> None:
    ask("brief me on ACME", user="li.na", thread="t-follow")
    reply = ask("any risks there?", user="li.na", thread="t-follow")
    assert reply.skill == "insight" and "ACME Manufacturing" in reply.text


def test_ask_json_has_the_scripting_shape(demo_home, monkeypatch) -> None:
    import json

    from typer.testing import CliRunner

    from bot.cli import _mount, app
    from bot.config import get_settings

    monkeypatch.setenv("DEALPILOT_HOME", str(demo_home))
    get_settings.cache_clear()
    _mount()
    try:
        result = CliRunner().invoke(app, ["ask", "ACME 最近怎么样?", "--as", "li.na", "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"skill", "language", "text", "blocks", "citations", "actions", "elapsed_ms"}
    assert data["skill"] == "insight" and data["language"] == "zh"


def test_naming_a_hidden_account_in_a_thread_does_not_answer_about_the_previous_one(ask) -> None:
    ask("brief me on ACME", user="li.na", thread="t-switch")
    reply = ask("how is Globex doing", user="li.na", thread="t-switch")
    assert "ACME" not in reply.text and "can't find an account" in reply.text


def test_chinese_pronoun_follow_up_keeps_the_account(ask) -> None:
    ask("ACME 最近怎么样", user="li.na", thread="t-zh-follow")
    reply = ask("他们有什么风险", user="li.na", thread="t-zh-follow")
    assert reply.skill == "insight" and "艾克米制造" in reply.text


def test_a_practice_session_does_not_capture_a_colleagues_messages(ask) -> None:
    ask("/roleplay start 1", user="li.na", channel="C-shared")
    reply = ask("ACME 最近怎么样", user="zhao.lei", channel="C-shared")
    assert reply.skill == "insight"
