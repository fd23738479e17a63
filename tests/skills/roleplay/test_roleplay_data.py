"""Scenario and rubric files: the shipped set, and clear errors for broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skills.roleplay.rubric import load_rubric
from skills.roleplay.scenario import SCENARIO_DIR, ScenarioError, load_scenario_file, load_scenarios, shipped_scenarios


def test_shipped_scenarios_cover_levels_difficulties_and_languages() -> None:
    scenarios = shipped_scenarios()
    assert len(scenarios) >= 9
    assert {s.level for s in scenarios.values()} == {"discovery", "objection", "negotiation"}
    for level in ("discovery", "objection", "negotiation"):
        assert {s.difficulty for s in scenarios.values() if s.level == level} == {"easy", "medium", "hard"}
    for s in scenarios.values():
        assert s.opening.zh and s.opening.en and s.persona.name.zh and s.persona.name.en
        assert load_rubric(s.rubric_id).pass_mark == 80
    # harder scenarios raise more objections
    counts = [len(scenarios[i].active_objections()) for i in
              ("objection-cheaper-competitor", "objection-hospital-security", "objection-bad-timing")]
    assert counts == sorted(counts) and counts[0] < counts[-1]


def _write(tmp_path: Path, name: str, mutate) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load((SCENARIO_DIR / "discovery-pharmacy-buyer.yaml").read_text(encoding="utf-8"))
    data["id"] = name
    mutate(data)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_unknown_move_is_named_with_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken-move", lambda d: d["facts"][0].update(revealed_by=["ask_moneyy"]))
    with pytest.raises(ScenarioError) as err:
        load_scenario_file(path)
    assert "broken-move.yaml" in err.value.en and "ask_moneyy" in err.value.en and "known moves" in err.value.en


def test_missing_language_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "no-english", lambda d: d["opening"].pop("en"))
    with pytest.raises(ScenarioError) as err:
        load_scenario_file(path)
    assert "opening.en" in err.value.en and err.value.zh.startswith("no-english.yaml")


def test_bad_yaml_and_mismatched_id(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenarios(tmp_path)
    path = _write(tmp_path, "right-name", lambda d: None)
    path.rename(tmp_path / "wrong-name.yaml")
    (tmp_path / "bad.yaml").unlink()
    with pytest.raises(ScenarioError, match="must match the file name"):
        load_scenarios(tmp_path)
