"""Replies the trainer shows: the scenario list with rubrics, the briefing, the score card."""

from __future__ import annotations

from bot.lang import Language, pick
from bot.messages import Block, Context, Divider, Fields, Header, Section, Table
from skills.roleplay.progress import Outcome
from skills.roleplay.rubric import load_rubric
from skills.roleplay.scenario import LEVELS, Scenario, level_name
from skills.roleplay.scorer import ScoreCard

DIFFICULTY = {"easy": ("简单", "easy"), "medium": ("中等", "medium"), "hard": ("困难", "hard")}


def difficulty(value: str, language: Language) -> str:
    zh, en = DIFFICULTY[value]
    return pick(language, zh, en)


def scenario_list(scenarios: list[Scenario], unlocked: list[str], language: Language) -> list[Block]:
    """Unlocked levels with their scenarios and rubric; locked levels named, not listed."""
    blocks: list[Block] = [Header(text=pick(language, "销售陪练：可练习的场景", "Role-play practice: your scenarios"))]
    number = 0
    for level in LEVELS:
        in_level = [s for s in scenarios if s.level == level]
        if level not in unlocked:
            blocks.append(Context(text=pick(language, f"🔒 {level_name(level, language)}：通过上一关后解锁",
                                            f"🔒 {level_name(level, language)}: unlocks when you pass the previous level")))
            continue
        rows = []
        for s in in_level:
            number += 1
            rows.append([str(number), s.id, s.title(language), difficulty(s.difficulty, language)])
        blocks.append(Table(title=level_name(level, language), columns=[
            "#", "id", pick(language, "场景", "scenario"), pick(language, "难度", "difficulty")], rows=rows))
        blocks.append(Section(text=pick(language, "*评分表*\n", "*Rubric*\n") + load_rubric(level).describe(language)))
    blocks.append(Context(text=pick(
        language,
        "开始：/roleplay start <id或编号> [zh|en]；练习中：/roleplay hint 提示（扣分），/roleplay end 结束并评分。",
        "Start: /roleplay start <id or number> [zh|en]; while playing: /roleplay hint (costs points), /roleplay end to finish and score.",
    )))
    return blocks


def briefing(scenario: Scenario, language: Language, opening: str) -> list[Block]:
    p = scenario.persona
    return [
        Header(text=pick(language, f"陪练开始：{scenario.title(language)}", f"Practice started: {scenario.title(language)}")),
        Fields(items=[
            (pick(language, "客户", "Customer"), f"{p.name(language)}, {p.role(language)}"),
            (pick(language, "公司", "Company"), p.company(language)),
            (pick(language, "关卡", "Level"), level_name(scenario.level, language)),
            (pick(language, "难度", "Difficulty"), difficulty(scenario.difficulty, language)),
        ]),
        Section(text=pick(language, "*背景* ", "*Background* ") + p.profile(language)),
        Section(text=pick(language, "*你的目标* ", "*Your goal* ") + scenario.goal(language)),
        Section(text=pick(language, "*评分表*\n", "*Rubric*\n") + load_rubric(scenario.rubric_id).describe(language)),
        Divider(),
        Section(text=f"*{p.name(language)}:* {opening}"),
        Context(text=pick(language, "直接回复即可与客户对话。/roleplay hint 获取提示，/roleplay end 结束并评分。",
                          "Just reply to talk to the customer. /roleplay hint for a hint, /roleplay end to finish and get scored.")),
    ]


def score_card(card: ScoreCard, scenario: Scenario, outcome: Outcome, language: Language) -> tuple[str, list[Block]]:
    verdict = pick(language, "通过 ✅", "PASS ✅") if card.passed else pick(language, "未通过 ❌", "NOT YET ❌")
    rows = []
    for c in card.checks:
        evidence = f"“{c.quote}”" if c.passed else pick(language, "试着说/问：", "Try: ") + _strip_try(c.suggestion)
        rows.append([c.text, "✅" if c.passed else "❌", evidence])
    minutes = outcome.duration_s / 60
    fields = [
        (pick(language, "得分", "Score"), f"{card.score:g} / 100"),
        (pick(language, "及格线", "Pass mark"), f"{card.pass_mark:g}"),
        (pick(language, "结果", "Verdict"), verdict),
        (pick(language, "提示扣分", "Hint penalty"), f"-{card.hint_penalty:g} ({card.hints_used})"),
        (pick(language, "本关尝试", "Attempts at this level"), str(outcome.attempts)),
        (pick(language, "本关最好成绩", "Best at this level"), f"{outcome.best_score:g}"),
        (pick(language, "用时", "Time"), f"{minutes:.1f} min"),
    ]
    per_criterion = "\n".join(
        f"- {c.name}: {c.passed}/{c.total} → {c.points:.1f}/{c.weight:g}" for c in card.criteria
    )
    if outcome.newly_unlocked:
        news = pick(language, f"🎉 已解锁新关卡：{level_name(outcome.newly_unlocked, language)}。输入 /roleplay 查看。",
                    f"🎉 New level unlocked: {level_name(outcome.newly_unlocked, language)}. Type /roleplay to see it.")
    elif card.passed:
        news = pick(language, "本关已通过。", "You passed this level.")
    else:
        news = pick(language, f"差 {card.pass_mark - card.score:g} 分。照着 ❌ 项的建议再练一次：/roleplay start {scenario.id}",
                    f"{card.pass_mark - card.score:g} points short. Use the ❌ suggestions and try again: /roleplay start {scenario.id}")
    blocks: list[Block] = [
        Header(text=pick(language, f"评分卡：{scenario.title(language)}", f"Score card: {scenario.title(language)}")),
        Fields(items=fields),
        Section(text=per_criterion),
        Table(columns=[pick(language, "检查项", "Check"), pick(language, "结果", "Verdict"),
                       pick(language, "证据 / 建议", "Evidence / suggestion")], rows=rows),
        Section(text=news),
    ]
    text = pick(language, f"得分 {card.score:g}/100（及格线 {card.pass_mark:g}）：{verdict}。{news}",
                f"Score {card.score:g}/100 (pass mark {card.pass_mark:g}): {verdict}. {news}")
    return text, blocks


def _strip_try(suggestion: str) -> str:
    for prefix in ("试着说：", "试着问：", "Try saying: ", "Try asking: "):
        if suggestion.startswith(prefix):
            return suggestion[len(prefix):]
    return suggestion
