"""``dealpilot bench slack`` runs both transports through the local peer and meets its targets."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner


@pytest.mark.slow
def test_bench_slack_prints_ack_and_reply_percentiles_within_targets() -> None:
    import typer

    from bot.adapters.slack.bench import bench_slack

    app = typer.Typer()
    app.command()(bench_slack)
    result = CliRunner().invoke(app, ["-n", "20", "--no-cases", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert [r["transport"] for r in report["results"]] == ["http", "socket"]
    assert all(r["n"] == 20 and 0 < r["ack_p50_ms"] <= r["ack_p95_ms"] for r in report["results"])
    assert report["met"] == {"http": True, "socket": True}
