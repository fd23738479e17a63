"""The role-play part of the Slack App Home: the level the rep is on and their best score per level."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.lang import pick
from bot.messages import Context, Fields, Header
from skills.roleplay.progress import Progress
from skills.roleplay.scenario import LEVELS, level_name

if TYPE_CHECKING:
    from bot.turn import Turn


def home_blocks(turn: "Turn", progress: Progress) -> list[Any]:
    lang = turn.language
    me = turn.viewer.user_id
    current = progress.unlocked_level(me)
    by_level = {p.level: p for p in progress.levels_for(me)}
    items = [(pick(lang, "当前关卡", "Current level"), level_name(current, lang))]
    for level in LEVELS[: LEVELS.index(current) + 1]:
        row = by_level.get(level)
        if row is None or row.attempts == 0:
            value = pick(lang, "还没练过", "not practised yet")
        else:
            passed = pick(lang, "，已通过 ✅", ", passed ✅") if row.passed_at else ""
            value = pick(lang, f"最好 {row.best_score:g} 分（{row.attempts} 次）{passed}",
                         f"best {row.best_score:g} ({row.attempts} attempt{'s' if row.attempts != 1 else ''}){passed}")
        items.append((level_name(level, lang), value))
    hint = pick(lang, "私信我 /roleplay 开始一次陪练。", "DM me /roleplay to start a practice session.")
    return [Header(text=pick(lang, "销售陪练", "Sales practice")), Fields(items=items), Context(text=hint)]
