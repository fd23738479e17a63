"""``dealpilot bench dingtalk`` runs end to end and reports both latencies (slow: seeds a demo company)."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from bot.adapters.dingtalk.bench import bench_dingtalk


@pytest.mark.slow
def test_bench_prints_ack_and_reply_latency() -> None:
    app = typer.Typer()
    app.command()(bench_dingtalk)
    result = CliRunner().invoke(app, ["-n", "8", "--json"])
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.output[result.output.index("{") :])
    assert numbers["messages"] == 8
    for key in ("ack_ms", "reply_ms"):
        assert 0 < numbers[key]["p50"] <= numbers[key]["p95"] <= numbers[key]["max"]
    assert numbers["ack_ms"]["p95"] < numbers["reply_ms"]["p95"]  # acked before answered
