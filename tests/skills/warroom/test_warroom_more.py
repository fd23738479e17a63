"""The Gantt picture, digest timing, typed risks, periodic jobs and the ``dealpilot warroom`` CLI."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skills.warroom import repo, service
from skills.warroom.deal import load_snapshot
from skills.warroom.gantt import render_gantt
from integrations.crm.viewer import SYSTEM_VIEWER
from tests.skills.warroom.warroom_helpers import FROZEN, card_text, pinned_card


def test_gantt_png_has_size_and_drawn_pixels(wr_runtime, tmp_path: Path) -> None:
    from PIL import Image

    deal = next(o for o in wr_runtime.crm.list_opportunities(SYSTEM_VIEWER) if o.name.startswith("江苏能源5G专网项目"))
    snapshot = load_snapshot(wr_runtime.crm, SYSTEM_VIEWER, deal.id, today=FROZEN)
    path = render_gantt(snapshot.milestones, today=FROZEN, title_zh="甘特图", title_en="Gantt", path=tmp_path / "g.png")
    with Image.open(path) as img:
        assert img.format == "PNG" and img.width == 1200 and img.height >= 400
        rgb = img.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 16) or []
    reds = sum(n for n, (r, g, b) in colours if r > 150 and g < 90 and b < 90)
    non_white = sum(n for n, c in colours if c != (255, 255, 255))
    assert non_white > 0.02 * img.width * img.height  # something is drawn
    assert reds > 200  # the late (Suzhou) and overdue (Wuxi) milestones are red


def test_digest_time_and_zone_are_configurable_and_posted_once_a_day(room_5g, say, wr_runtime, console_rooms) -> None:
    bad = say("/warroom digest time 25:00", "wang.wei", channel=room_5g.channel)
    assert bad.skill == "error"
    ok = say("/warroom digest time 18:30 Europe/Madrid", "wang.wei", channel=room_5g.channel)
    assert "18:30" in ok.text and "Europe/Madrid" in ok.text
    room = repo.get_room(wr_runtime.store, room_5g.id)
    madrid_1800 = datetime(2026, 12, 2, 17, 0, tzinfo=timezone.utc)  # 18:00 in Madrid
    assert service.post_due_digests(wr_runtime, now=madrid_1800) == []
    madrid_1831 = madrid_1800 + timedelta(minutes=31)
    assert service.post_due_digests(wr_runtime, now=madrid_1831) == [room.id]
    assert service.post_due_digests(wr_runtime, now=madrid_1831 + timedelta(hours=2)) == []
    assert service.post_due_digests(wr_runtime, now=madrid_1831 + timedelta(days=1)) == [room.id]


def test_english_room_digest_and_questions(say, console_rooms) -> None:
    created = say("open a war room for the Jiangsu Energy 5G deal", "wang.wei")
    channel = created.metadata["channel"]
    say("/warroom digest", "wang.wei", channel=channel)
    from bot.messages import Reply

    digest = Reply.model_validate(console_rooms.posts(channel)[-1].reply)
    assert digest.language == "en" and "War-room digest" in digest.text
    tasks = say("what are the open tasks?", "li.si", channel=channel)
    assert tasks.language == "en" and "No open tasks" in tasks.text


def test_typed_risk_gets_an_owner_and_appears_on_the_card(room_5g, say, console_rooms) -> None:
    reply = say("风险：集团财务部还没有接触 @王伟", "li.si", channel=room_5g.channel)
    assert reply.skill == "warroom" and "王伟" in reply.text
    assert "集团财务部还没有接触 | 王伟" in card_text(pinned_card(console_rooms, room_5g.channel))
    risks = say("有哪些风险？", "li.si", channel=room_5g.channel)
    assert "集团财务部还没有接触" in risks.text and risks.citations


def test_skill_offers_periodic_jobs_to_the_scheduler(wr_runtime) -> None:
    from bot.scheduler import Scheduler

    scheduler = Scheduler(wr_runtime.store)
    scheduler.register_skill_jobs(wr_runtime.skills)
    assert {"warroom.refresh_cards", "warroom.digests", "warroom.reminders"} <= set(scheduler.jobs)
    assert set(scheduler.run_due(now_mono=0.0)) >= {"warroom.refresh_cards", "warroom.reminders"}


def test_cli_lists_rooms_posts_digest_and_shows_health(room_5g, settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import get_settings
    from skills.warroom.cli import app

    monkeypatch.setenv("DEALPILOT_HOME", str(settings.home))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        listed = runner.invoke(app, ["list", "--json"])
        assert listed.exit_code == 0, listed.output
        assert '"platform": "console"' in listed.output and room_5g.channel in listed.output
        posted = runner.invoke(app, ["digest", "--now", "--room", str(room_5g.id)])
        assert posted.exit_code == 0 and f"#{room_5g.id}:" in posted.output
        missing = runner.invoke(app, ["digest", "--now", "--room", "999"])
        assert missing.exit_code == 2
        health = runner.invoke(app, ["health", "--as", "zhao.lei"])
        assert health.exit_code == 0 and "War-room health" in health.output
        hidden = runner.invoke(app, ["health", "--as", "bob.smith"])
        assert "no war rooms" in hidden.output
    finally:
        get_settings.cache_clear()
