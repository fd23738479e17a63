"""The golden conversations themselves, the offline gate (no regression vs evals/baseline.json,
zero leaks) on the demo company, and the ``dealpilot eval`` command on both engines."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from peers.openai_peer import OpenAIPeer
from typer.testing import CliRunner

from bot.lang import detect_language
from bot.runtime import Runtime
from evals.dataset import load_items
from evals.runner import BASELINE, resolve_citation, run_items
from evals.scoring import summarize

ITEMS = load_items()


def test_the_golden_set_is_big_bilingual_and_adversarial() -> None:
    assert len(ITEMS) >= 80
    languages = Counter(i.language or detect_language(i.question) for i in ITEMS)
    assert languages["zh"] >= 30 and languages["en"] >= 30
    tags = Counter(t for i in ITEMS for t in i.tags)
    for needed in ("injection", "follow-up", "mixed-language", "cross-team", "leak"):
        assert tags[needed] >= 2, needed
    assert any("en-injection-test-vendor-notes" in c for i in ITEMS for c in i.expect_citations)
    assert all(i.must_not_include for i in ITEMS if "leak" in i.tags)
    assert {i.expect_skill for i in ITEMS} >= {"insight", "cases", "warroom", "alerts", "activity", "help", "roleplay"}


def test_every_citation_placeholder_names_a_demo_record(runtime: Runtime) -> None:
    for item in ITEMS:
        for cited in item.expect_citations:
            resolved = resolve_citation(runtime, cited)
            assert "{" not in resolved, (item.id, cited)
    with pytest.raises(ValueError, match="names no demo record"):
        resolve_citation(runtime, "crm://account/{account:No Such Company}")


def test_offline_engine_has_no_regression_and_no_leak(runtime: Runtime) -> None:
    """The CI gate: items that need the case library are run by `dealpilot eval`, not here."""
    baseline = json.loads(BASELINE.read_text())["offline"]
    items = [i for i in ITEMS if "needs-kb" not in i.tags]
    scores = run_items(runtime, items)
    summary = summarize(scores)
    leaks = {s.id: s.leaks for s in scores if s.leaks}
    assert summary["leak_count"] == 0, leaks
    regressed = sorted(set(baseline["passed_items"]) & {s.id for s in scores if not s.passed})
    assert not regressed, {s.id: (s.routed, s.missing, s.missing_citations) for s in scores if s.id in regressed}
    assert summary["errors"] == 0


def _cli(args: list[str], monkeypatch: pytest.MonkeyPatch, env: dict[str, str]):  # type: ignore[no-untyped-def]
    from bot import cli
    from bot.config import get_settings

    for key in ("DEALPILOT_LLM_BASE_URL", "DEALPILOT_LLM_API_KEY", "DEALPILOT_LLM_MODEL", "DEALPILOT_DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    cli._mount()
    try:
        return CliRunner().invoke(cli.app, args)
    finally:
        get_settings.cache_clear()


def test_cli_writes_markdown_and_json_reports(demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "report"
    result = _cli(["eval", "--only", "help", "--home", str(demo_home), "--report", str(report), "--gate"], monkeypatch, {})
    assert result.exit_code == 0, result.output
    data = json.loads((report / "eval-offline.json").read_text())
    assert data["summary"]["items"] == len([i for i in ITEMS if "help" in i.tags]) and data["summary"]["leak_count"] == 0
    md = (report / "eval-offline.md").read_text()
    assert "| routing accuracy |" in md and "| leak count | 0 |" in md
    assert "leaks 0" in result.output


def test_cli_rejects_bad_options(demo_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert _cli(["eval", "--engine", "gpt"], monkeypatch, {}).exit_code != 0
    assert _cli(["eval", "--only", "no-such-item-xyz"], monkeypatch, {}).exit_code != 0
    result = _cli(["eval", "--engine", "llm", "--only", "help-en", "--home", str(demo_home)], monkeypatch, {})
    assert result.exit_code != 0 and "DEALPILOT_LLM" in result.output


def test_cli_on_the_llm_engine_reports_tokens(demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "report"
    with OpenAIPeer([{"content": "I can help with account briefs, cases and deal war-rooms."}] * 2) as peer:
        env = {"DEALPILOT_LLM_BASE_URL": peer.base_url, "DEALPILOT_LLM_MODEL": "peer", "DEALPILOT_LLM_API_KEY": "sk-peer-xyz123456"}
        result = _cli(
            ["eval", "--engine", "llm", "--only", "help-gibberish-en", "--home", str(demo_home), "--report", str(report),
             "--price-in", "1.0", "--price-out", "2.0"],
            monkeypatch,
            env,
        )
    assert result.exit_code == 0, result.output
    data = json.loads((report / "eval-llm.json").read_text())
    assert data["summary"]["tokens_in"] > 0 and data["summary"]["cost_total"] > 0
    assert data["items"][0]["routed"] == "agent"
    assert "sk-peer-xyz123456" not in (report / "eval-llm.json").read_text()
