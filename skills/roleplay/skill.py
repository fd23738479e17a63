"""``/roleplay``: practise with an AI customer in the chat thread, scored by a rubric you can read.

Flow: ``/roleplay`` lists unlocked scenarios and their rubrics; ``/roleplay start <id>`` makes this
skill the thread's owner (conversation state ``playing``), so every later message in the thread
is the rep talking to the customer; ``/roleplay hint`` coaches (for points); ``/roleplay end`` —
or the customer closing the conversation — scores the transcript, stores the attempt and unlocks
the next level at the pass mark. ``/roleplay team`` is the manager's view.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from bot.errors import InvalidInput, NotFoundOrHidden, PermissionDenied
from bot.lang import Language, pick
from bot.messages import Context, Image, Reply, Section, Table
from bot.skill import Skill
from bot.turn import Turn
from skills.roleplay.chart import scores_chart
from skills.roleplay.engine_scripted import EngineState, ScriptedEngine
from skills.roleplay.guard import is_injection
from skills.roleplay.progress import Progress
from skills.roleplay.rubric import load_rubric
from skills.roleplay.scenario import LEVELS, Scenario, level_name, shipped_scenarios
from skills.roleplay.scorer import score_transcript
from skills.roleplay import views

MAX_TURN_CHARS = 1500
PLAYING = "playing"
_VERBS = {
    "list": "list", "ls": "list", "列表": "list", "场景": "list",
    "start": "start", "play": "start", "开始": "start", "练习": "start",
    "hint": "hint", "提示": "hint",
    "end": "end", "stop": "end", "finish": "end", "结束": "end",
    "team": "team", "团队": "team",
    "me": "me", "progress": "me", "我的": "me", "进度": "me",
}


class RolePlaySkill(Skill):
    name = "roleplay"
    description_zh = "销售陪练：和AI客户对练，按公开评分表打分，逐级解锁"
    description_en = "Sales practice: role-play with an AI customer, scored by a visible rubric, level by level"
    examples = ("我想练习销售对话", "陪我练一下需求挖掘", "practice a sales call", "role-play a price negotiation")
    commands = ("roleplay",)

    def __init__(self) -> None:
        self.chat_model: Any = None  # a langchain chat model; set by tests or built from settings

    # --- entry ----------------------------------------------------------------------------------
    def handle(self, turn: Turn) -> Reply:
        if turn.message.command:
            verb, rest = _split_verb(turn.text)
            return getattr(self, f"_cmd_{verb}")(turn, rest)
        if turn.conversation.owner == self.name and self._session_data(turn):
            return self._play(turn)
        return self._cmd_list(turn, "")

    # --- commands -------------------------------------------------------------------------------
    def _cmd_list(self, turn: Turn, _: str) -> Reply:
        unlocked = self._progress.unlocked_levels(turn.viewer.user_id)
        blocks = views.scenario_list(list(shipped_scenarios().values()), unlocked, turn.language)
        names = ", ".join(level_name(lv, turn.language) for lv in unlocked)
        text = pick(turn.language, f"已解锁：{names}。用 /roleplay start <id> 开始。", f"Unlocked: {names}. Start with /roleplay start <id>.")
        return self._reply(turn.language, text, blocks)

    def _cmd_start(self, turn: Turn, rest: str) -> Reply:
        args = rest.split()
        language: Language = turn.language
        if args and args[-1].lower() in ("zh", "en", "中文", "英文"):
            language = "zh" if args.pop().lower() in ("zh", "中文") else "en"
        if not args:
            raise InvalidInput(zh="请告诉我要练哪个场景，例如 /roleplay start discovery-pharmacy-buyer。输入 /roleplay 查看列表。",
                               en="Tell me which scenario, e.g. /roleplay start discovery-pharmacy-buyer. Type /roleplay for the list.")
        scenario = self._find(args[0], turn.viewer.user_id)
        engine = self._engine(scenario)
        state, opening = engine.start(language)
        session_id = self._progress.start(
            user_id=turn.viewer.user_id, scenario_id=scenario.id, level=scenario.level, language=language,
            engine=engine.name, conversation_key=turn.conversation.key,
        )
        self._progress.add_turn(session_id, "customer", opening)
        turn.conversation.set(skill=self.name, state=PLAYING, data={
            "session_id": session_id, "scenario": scenario.id, "language": language, "engine": state.model_dump(),
        })
        text = f"{scenario.persona.name(language)}: {opening}"
        return self._reply(language, text, views.briefing(scenario, language, opening))

    def _cmd_hint(self, turn: Turn, _: str) -> Reply:
        data = self._require_session(turn)
        language: Language = data["language"]
        scenario = shipped_scenarios()[data["scenario"]]
        rubric = load_rubric(scenario.rubric_id)
        card = score_transcript(self._progress.transcript(data["session_id"]), rubric, language=language)
        missed = next((c for c in card.checks if not c.passed), None)
        used = self._progress.use_hint(data["session_id"])
        tip = missed.suggestion if missed else pick(language, "每一项都做到了，试着推进到有日期的下一步。", "You've covered every check; move to a dated next step.")
        self._progress.add_turn(data["session_id"], "coach", tip)
        cost = pick(language, f"（本次提示扣 {rubric.hint_cost:g} 分，已用 {used} 次）", f"(this hint costs {rubric.hint_cost:g} points; {used} used)")
        text = f"💡 {tip} {cost}"
        return self._reply(language, text, [Section(text=f"💡 {tip}"), Context(text=cost)])

    def _cmd_end(self, turn: Turn, _: str) -> Reply:
        data = self._require_session(turn)
        return self._finish(turn, data, prefix=None)

    def _cmd_me(self, turn: Turn, _: str) -> Reply:
        return self._team_reply(turn, [turn.viewer.user_id], title=pick(turn.language, "我的陪练进度", "My practice progress"))

    def _cmd_team(self, turn: Turn, rest: str) -> Reply:
        viewer = turn.viewer
        if not viewer.is_manager:
            raise PermissionDenied(zh="只有经理可以查看团队的陪练情况。", en="Only managers can see the team's practice view.")
        reps = [u for u in turn.crm.list_users() if u.role == "rep" and (viewer.is_admin or u.team_id in viewer.managed_team_ids)]
        wanted = rest.strip()
        if wanted:
            reps = [u for u in reps if wanted in (u.id, u.name, u.name_en)]
            if not reps:
                raise NotFoundOrHidden(zh=f"你的团队里没有 {wanted}。", en=f"There is no {wanted} in your team.")
        return self._team_reply(turn, [u.id for u in reps], title=pick(turn.language, "团队陪练情况", "Team practice"))

    # --- playing --------------------------------------------------------------------------------
    def _play(self, turn: Turn) -> Reply:
        data = self._session_data(turn)
        language: Language = data["language"]
        text = turn.text.strip()
        if len(text) > MAX_TURN_CHARS:
            return self._reply(language, pick(
                language,
                f"这段话太长了（{len(text)} 字）。真实对话里客户不会读完的：请用 {MAX_TURN_CHARS} 字以内说一句话，练习继续。",
                f"That's too long ({len(text)} characters); a real customer wouldn't read it. Say it in under "
                f"{MAX_TURN_CHARS} characters; the practice continues.",
            ), [], skill_note="too_long")
        scenario = shipped_scenarios()[data["scenario"]]
        engine = self._engine(scenario)
        state = EngineState.model_validate(data["engine"])
        history = self._progress.transcript(data["session_id"])
        flags = ["injection"] if is_injection(text) else []
        self._progress.add_turn(data["session_id"], "rep", text, flags=flags)
        if engine.name == "llm":
            reply_turn = engine.respond(state, text, language, history=history)  # type: ignore[call-arg]
        else:
            reply_turn = engine.respond(state, text, language)
        self._progress.add_turn(data["session_id"], "customer", reply_turn.text)
        data = {**data, "engine": state.model_dump()}
        turn.conversation.set(skill=self.name, state=PLAYING, data=data)
        line = f"{scenario.persona.name(language)}: {reply_turn.text}"
        if reply_turn.ended:
            return self._finish(turn, data, prefix=line)
        reply = self._reply(language, line, [Section(text=f"*{scenario.persona.name(language)}:* {reply_turn.text}")])
        reply.metadata["roleplay_events"] = reply_turn.events
        reply.metadata["roleplay_revealed"] = reply_turn.revealed
        return reply

    def _finish(self, turn: Turn, data: dict[str, Any], *, prefix: str | None) -> Reply:
        language: Language = data["language"]
        scenario = shipped_scenarios()[data["scenario"]]
        session = self._progress.get(data["session_id"])
        assert session is not None
        card = score_transcript(
            self._progress.transcript(data["session_id"]), load_rubric(scenario.rubric_id),
            language=language, hints_used=session.hints_used,
        )
        outcome = self._progress.finish(data["session_id"], card)
        turn.conversation.clear()
        text, blocks = views.score_card(card, scenario, outcome, language)
        if prefix:
            blocks.insert(0, Section(text=prefix))
            text = f"{prefix}\n{text}"
        reply = self._reply(language, text, blocks)
        reply.metadata.update(score=card.score, passed=card.passed, unlocked=outcome.newly_unlocked, verdicts=card.verdicts())
        return reply

    def home(self, turn: Turn) -> list[Any]:
        """App Home: the rep's current level and best score per level."""
        from skills.roleplay.home import home_blocks

        return home_blocks(turn, self._progress)

    # --- helpers --------------------------------------------------------------------------------
    @property
    def _progress(self) -> Progress:
        return Progress(self.runtime.store)

    def _engine(self, scenario: Scenario) -> Any:
        model = self.chat_model
        if model is None and self.runtime.settings.llm_configured:
            model = self._build_model()
        if model is not None:
            from skills.roleplay.engine_llm import LLMEngine

            return LLMEngine(scenario, model)
        return ScriptedEngine(scenario)

    def _build_model(self) -> Any:
        try:
            from bot.llm import build_chat_model

            return self.runtime.service("roleplay.chat_model", lambda: build_chat_model(self.runtime.settings))
        except Exception:  # misconfigured provider: practise offline rather than fail
            return None

    def _find(self, token: str, user_id: str) -> Scenario:
        scenarios = list(shipped_scenarios().values())
        unlocked = self._progress.unlocked_levels(user_id)
        playable = [s for s in scenarios if s.level in unlocked]
        if token.isdigit() and 1 <= int(token) <= len(playable):
            return playable[int(token) - 1]
        exact = [s for s in scenarios if s.id == token.lower()]
        matches = exact or [
            s for s in scenarios if token.lower() in s.id or token in s.title.zh or token.lower() in s.title.en.lower()
        ]
        if len(matches) != 1:
            raise InvalidInput(
                zh=f"没有找到唯一匹配“{token}”的场景。输入 /roleplay 查看列表。",
                en=f"No single scenario matches '{token}'. Type /roleplay for the list.",
            )
        scenario = matches[0]
        if scenario.level not in unlocked:
            previous = LEVELS[LEVELS.index(scenario.level) - 1]
            raise PermissionDenied(
                zh=f"“{level_name(scenario.level, 'zh')}”还没解锁：先通过“{level_name(previous, 'zh')}”。",
                en=f"'{level_name(scenario.level, 'en')}' is locked: pass '{level_name(previous, 'en')}' first.",
            )
        return scenario

    def _session_data(self, turn: Turn) -> dict[str, Any] | None:
        row = turn.conversation.load()
        if row is None or row.skill != self.name or row.state != PLAYING:
            return None
        data = dict(row.data or {})
        return data if "session_id" in data else None

    def _require_session(self, turn: Turn) -> dict[str, Any]:
        data = self._session_data(turn)
        if data is None:
            raise InvalidInput(zh="这个对话里没有进行中的陪练。用 /roleplay start <场景> 开始。",
                               en="There is no practice running in this conversation. Start one with /roleplay start <scenario>.")
        return data

    def _team_reply(self, turn: Turn, user_ids: list[str], *, title: str) -> Reply:
        language = turn.language
        progress = self._progress
        users = {u.id: u for u in turn.crm.list_users()}
        rows, series = [], {}
        for uid in user_ids:
            levels = {p.level: p for p in progress.levels_for(uid)}
            history = progress.history(uid)
            if history:
                series[uid] = history
            attempts = sum(p.attempts for p in levels.values())
            best = max((p.best_score for p in levels.values()), default=0.0)
            minutes = sum(p.time_spent_s for p in levels.values()) / 60
            weak = [self._check_text(check, language) for check, _ in progress.weakest_checks(uid)]
            name = users[uid].name if uid in users else uid
            rows.append([name, level_name(progress.unlocked_level(uid), language), str(attempts), f"{best:g}",
                         f"{minutes:.1f}", "; ".join(weak) or "—"])
        blocks: list[Any] = [Table(title=title, columns=[
            pick(language, "销售", "Rep"), pick(language, "当前关卡", "Level"), pick(language, "尝试次数", "Attempts"),
            pick(language, "最好成绩", "Best"), pick(language, "练习分钟", "Minutes"), pick(language, "最弱的检查项", "Weakest checks"),
        ], rows=rows)]
        if series:
            path = self.runtime.settings.home / "charts" / f"roleplay-{uuid.uuid4().hex[:10]}.png"
            scores_chart(series, path=path, title="Role-play scores over time")
            blocks.append(Image(path=str(path), alt=pick(language, "陪练得分趋势图", "Role-play scores over time"),
                                fallback_text=pick(language, "得分趋势图", "Score chart")))
        else:
            blocks.append(Context(text=pick(language, "还没有已评分的练习。", "No scored practice yet.")))
        text = f"{title}: " + "; ".join(f"{r[0]} {r[1]} ({r[2]})" for r in rows)
        return self._reply(language, text, blocks)

    @staticmethod
    def _check_text(check_id: str, language: Language) -> str:
        for level in LEVELS:
            for check in load_rubric(level).checks:
                if check.id == check_id:
                    return check.text(language)
        return check_id

    def _reply(self, language: Language, text: str, blocks: list[Any], *, skill_note: str | None = None) -> Reply:
        reply = Reply(text=text, blocks=blocks or [Section(text=text)], language=language, skill=self.name)
        if skill_note:
            reply.metadata["roleplay_note"] = skill_note
        return reply


def _split_verb(text: str) -> tuple[str, str]:
    """``"start pharmacy zh"`` -> ``("start", "pharmacy zh")``; no verb means list."""
    head, _, rest = (text or "").strip().partition(" ")
    verb = _VERBS.get(head.lower())
    if verb is None:
        if head and re.match(r"^[a-z0-9-]+$", head.lower()) and head.lower() not in ("help",):
            return "start", text.strip()  # "/roleplay discovery-pharmacy-buyer" starts it
        return "list", ""
    return verb, rest.strip()
