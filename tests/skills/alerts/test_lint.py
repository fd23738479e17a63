"""Lint: each error class is caught with file, rule, field and a hint in the author's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from skills.alerts.ruleset import load_paths, parse_text, starter_rules

ZH_RULE = """
name: {name}
description: 采购频次下降时提醒客户经理
target: account
condition: {condition}
messages:
  zh: "{{account}} 采购下降"
  en: "{{account}} orders dropped"
"""
EN_RULE = ZH_RULE.replace("采购频次下降时提醒客户经理", "Remind the owner when orders drop")


def _issues(text: str) -> list:
    result = parse_text(text, "team.yaml")
    assert not result.rules
    return result.issues


def test_starter_rules_are_clean() -> None:
    result = starter_rules()
    assert result.issues == []
    assert {r.name for r in result.rules} == {
        "renewal_risk", "stale_deal", "discount_approval", "budget_cycle", "stakeholder_coverage"}


def test_unknown_field_suggests_the_catalog_name_in_chinese() -> None:
    [issue] = _issues(ZH_RULE.format(name="r1", condition="purchase_freq_change_3m < -50"))
    assert (issue.file, issue.rule, issue.field, issue.code) == ("team.yaml", "r1", "condition", "unknown_field")
    assert issue.language == "zh" and issue.line == 5
    assert "你是不是想写 `purchase_freq_change_pct_3m`" in issue.message()
    assert issue.format().startswith("team.yaml:5: 规则 r1: condition: 未知字段")


def test_unknown_field_hint_in_english_for_an_english_author() -> None:
    [issue] = _issues(EN_RULE.format(name="r1", condition="purchase_freq_change_3m < -50"))
    assert issue.language == "en"
    assert "did you mean `purchase_freq_change_pct_3m`?" in issue.message()


@pytest.mark.parametrize(
    ("condition", "code", "zh_part"),
    [
        ('industry > 3', "type_mismatch", "类型不匹配"),
        ('orders_3m == "5"', "type_mismatch", "`orders_3m` 是数字"),
        ("orders_3m < 3 and", "dangling_operator", "以运算符 `and` 结尾"),
        ("orders_3m < and tier == \"A\"", "dangling_operator", "运算符 `and` 前面缺少内容"),
        ("orders_3m ＞ 3", "fullwidth", "“＞”→“>”"),
        ("abs（orders_3m） > 3", "fullwidth", "“（”→“(”"),
        ('tier in ["A"，"B"]', "fullwidth", "“，”→“,”"),
        ("orders_3m > 3 且 tier == \"A\"", "chinese_operator", "请用 and"),
        ("orders_3m > 25%", "percent_sign", "25% 写成 25"),
        ("map(orders_3m, # > 1)", "forbidden", "不允许调用函数 map()"),
        ("orders_3m in [1..5]", "forbidden", "区间"),
        ('tier == "D"', "unknown_value", "没有取值"),
        ("orders_3m + 1", "not_boolean", "是/否"),
    ],
)
def test_each_error_class_has_a_chinese_fix_hint(condition: str, code: str, zh_part: str) -> None:
    issues = _issues(ZH_RULE.format(name="r1", condition=condition))
    assert [i.code for i in issues] == [code], [i.format() for i in issues]
    assert issues[0].field == "condition" and zh_part in issues[0].message()


def test_missing_message_language_is_named() -> None:
    text = "name: r2\ndescription: Remind on big discounts\ntarget: deal\ncondition: discount_pct > 25\nmessages:\n  en: hi\n"
    [issue] = _issues(text)
    assert (issue.field, issue.code, issue.line) == ("messages.zh", "missing_message", 5)
    assert "messages.zh is missing" in issue.message()


def test_structure_errors_unknown_key_placeholder_and_recipient() -> None:
    text = EN_RULE.format(name="r3", condition="orders_3m < 2").replace("target: account", "target: account\nseverty: high\nrecipients: [boss]")
    text = text.replace("{account} orders dropped", "{acount} orders dropped")
    codes = {(i.field, i.code) for i in _issues(text)}
    assert codes == {("severty", "unknown_key"), ("recipients", "bad_value"), ("messages.en", "unknown_placeholder")}
    messages = " ".join(i.message() for i in _issues(text))
    assert "did you mean `severity`" in messages and "did you mean {account}" in messages


def test_yaml_syntax_error_reports_the_line() -> None:
    [issue] = _issues("name: r\ncondition: [unclosed\n")
    assert issue.code == "yaml_syntax" and issue.line is not None


def test_a_broken_file_or_rule_never_stops_the_others(tmp_path: Path) -> None:
    (tmp_path / "a_broken.yaml").write_text("name: x\n  bad: [", encoding="utf-8")
    (tmp_path / "b_mixed.yaml").write_text(
        "rules:\n"
        "  - name: good\n    description: 订单减少\n    target: account\n    condition: orders_3m < 2\n"
        "    messages: {zh: 订单减少, en: orders dropped}\n"
        "  - name: bad\n    description: 订单减少\n    target: account\n    condition: orderz < 2\n"
        "    messages: {zh: 订单减少, en: orders dropped}\n",
        encoding="utf-8",
    )
    result = load_paths([tmp_path])
    assert [r.name for r in result.rules] == ["good"]
    assert {(Path(i.file).name, i.rule, i.code) for i in result.issues} == {
        ("a_broken.yaml", "", "yaml_syntax"), ("b_mixed.yaml", "bad", "unknown_field")}


def test_cli_check_exit_codes_and_output(tmp_path: Path) -> None:
    from skills.alerts.cli import app

    good = tmp_path / "good.yaml"
    good.write_text(ZH_RULE.format(name="good", condition="orders_3m < 2"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(ZH_RULE.format(name="bad", condition="orders_3m ＞ 2"), encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(app, ["check", str(good)])
    assert ok.exit_code == 0 and "1 rule(s) OK, 0 issue(s)" in ok.output
    failed = runner.invoke(app, ["check", str(good), str(bad)])
    assert failed.exit_code == 1
    assert f"{bad}:5: 规则 bad: condition: 条件里有全角符号" in failed.output
    assert "1 rule(s) OK, 1 issue(s)" in failed.output
