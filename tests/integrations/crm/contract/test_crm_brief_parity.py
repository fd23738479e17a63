"""Done-when of issue #10: the insight skill gives the same brief for an account whether it lives in
the embedded CRM, the HubSpot peer or the Salesforce peer (live mode), in Chinese and in English."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.crm.demo import STORY_ACCOUNT_IDS
from integrations.crm.local.crm import LocalCRM
from skills.insight.brief import build_brief
from skills.insight.render import render_brief


def view(brief, lang: str):  # type: ignore[no-untyped-def]
    reply = render_brief(brief, lang)  # type: ignore[arg-type]
    return reply.text, [repr(b) for b in reply.blocks]


@pytest.mark.parametrize("story", ["acme", "jseg", "globex", "umbrella", "stark"])
def test_same_brief_in_every_crm(remote, story: str, demo_today: date) -> None:  # type: ignore[no-untyped-def]
    account_id = STORY_ACCOUNT_IDS[story]
    ref = LocalCRM(remote.store)
    owner = ref.get_account(ref.viewer_for("admin"), account_id).owner_id
    for user in (owner, "admin"):
        viewer = ref.viewer_for(user)
        expected = build_brief(ref, viewer, account_id, today=demo_today)
        got = build_brief(remote.crm, viewer, account_id, today=demo_today)
        assert got is not None and [r.code for r in got.risks] == [r.code for r in expected.risks]
        for lang in ("zh", "en"):
            assert view(got, lang) == view(expected, lang)


def test_brief_is_hidden_alike(remote, demo_today: date) -> None:  # type: ignore[no-untyped-def]
    li = remote.crm.viewer_for("li.na")
    assert build_brief(remote.crm, li, STORY_ACCOUNT_IDS["globex"], today=demo_today) is None
