"""The fallback: says what DealPilot can do, in the user's language, with examples to copy."""

from __future__ import annotations

from bot.messages import Context, Header, Reply, Section
from bot.skill import Skill
from bot.turn import Turn

_EXAMPLES_ZH = (
    "`ACME 最近怎么样?` — 客户 360 简报",
    "`有没有竞品降价后挽回客户的案例?` — 相似案例",
    "`给5G专网项目建个作战室` — 交易作战室",
    "`/rules list` — 预警规则",
    "`/roleplay` — 销售陪练",
)
_EXAMPLES_EN = (
    "`brief me on ACME` — account 360",
    "`any cases where we beat a competitor's price cut?` — similar cases",
    "`open a war room for the Globex deal` — deal war-room",
    "`/rules list` — alert rules",
    "`/roleplay` — practice with an AI customer",
)


class HelpSkill(Skill):
    name = "help"
    description_zh = "介绍 DealPilot 能做什么"
    description_en = "Explains what DealPilot can do"
    examples = ("帮助", "你能做什么", "help", "what can you do", "how do I use this")
    commands = ("help",)

    def handle(self, turn: Turn) -> Reply:
        if turn.notes.get("empty"):
            lead = turn.t("你发了一条空消息。我可以帮你：", "Your message was empty. Here is what I can do:")
        elif turn.message.command == "help" or turn.intent_score:
            lead = turn.t("我可以帮你：", "Here is what I can do:")
        else:
            lead = turn.t("抱歉，我没理解这个问题。我可以帮你：", "Sorry, I didn't understand that. Here is what I can do:")
        skills = [s for s in self.runtime.skills.values() if s.name != self.name]
        lines = [f"• *{turn.t(s.description_zh, s.description_en)}*" for s in skills if s.description_en]
        examples = _EXAMPLES_ZH if turn.language == "zh" else _EXAMPLES_EN
        text = "\n".join([lead, *lines])
        return Reply(
            text=text,
            language=turn.language,
            skill=self.name,
            blocks=[
                Header(text=turn.t("DealPilot 能做什么", "What DealPilot can do")),
                Section(text="\n".join([lead, *lines])),
                Section(text=turn.t("试试：", "Try:") + "\n" + "\n".join(examples)),
                Context(text=turn.t("按钮也可以用 !<动作> 在控制台里按下。", "In the console, press a button by typing !<action> <value>.")),
            ],
        )
