"""``bot.events``: hooks per runtime, run in the publisher's call; a broken hook never fails the publisher."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.events import crm_changed, on_crm_change
from bot.runtime import Runtime
from bot.skill import Skill
from tests.conftest import make_settings


class Listener(Skill):
    """A skill that subscribes in ``bind``, as the alerts skill does."""

    name = "listener"

    def __init__(self) -> None:
        self.seen: list[tuple[list[int], str]] = []

    def bind(self, runtime: Runtime) -> None:
        super().bind(runtime)
        on_crm_change(runtime, self.hook)
        on_crm_change(runtime, self.hook)  # twice: still called once

    def hook(self, runtime: Runtime, account_ids: list[int], event: str) -> str:
        assert runtime is self.runtime
        self.seen.append((account_ids, event))
        return f"{event}:{len(account_ids)}"

    def handle(self, turn):  # type: ignore[no-untyped-def]
        raise NotImplementedError


def _runtime(tmp_path: Path, name: str, skills: list[Skill]) -> Runtime:
    return Runtime(make_settings(tmp_path / name), skills=skills)


def test_hooks_subscribed_in_bind_get_the_change_of_their_own_runtime_only(tmp_path: Path) -> None:
    a, b = Listener(), Listener()
    ra, rb = _runtime(tmp_path, "a", [a]), _runtime(tmp_path, "b", [b])
    try:
        assert crm_changed(ra, [3, 1, 3], event="import") == ["import:2"]
        assert a.seen == [([1, 3], "import")] and b.seen == []
        assert crm_changed(ra, [], event="activity") == [] and len(a.seen) == 1  # nothing changed: no call
    finally:
        ra.close()
        rb.close()


def test_a_failing_hook_is_logged_and_the_others_still_run(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    listener = Listener()
    runtime = _runtime(tmp_path, "c", [listener])
    try:
        def broken(_rt: Runtime, _ids: list[int], _event: str) -> None:
            raise RuntimeError("boom")

        on_crm_change(runtime, broken)
        assert crm_changed(runtime, [7], event="deal_change") == ["deal_change:1"]
        assert "crm change hook" in caplog.text and "boom" in caplog.text
        with pytest.raises(ValueError, match="unknown CRM change event"):
            crm_changed(runtime, [7], event="imported")
        assert len(listener.seen) == 1
    finally:
        runtime.close()
