"""Where a message goes: button action -> command -> active thread -> claiming skill -> engine.

The engine is the LLM agent when one is configured and healthy, otherwise the offline intent
classifier. The router also owns the cross-cutting guarantees: input limits, identity, language,
and turning any failure into a friendly answer with a correlation id.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import TYPE_CHECKING

from bot.conversation import Conversation
from bot.errors import UserFacingError
from bot.identity import resolve_viewer
from bot.intent import EntityMatch, mask_entities
from bot.lang import Language, detect_language, pick
from bot.messages import Message, Reply, text_reply
from bot.turn import Turn

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.skill import Skill

log = logging.getLogger("dealpilot.router")

INTENT_THRESHOLD = 0.22
# Above this, a question clearly *about* an entity goes to its skill even when no name we may show
# matched, so the skill can say "I can't find an account you have access to" instead of "I don't understand".
ENTITYLESS_THRESHOLD = 0.45
FALLBACK_SKILL = "help"
COVERAGE_THRESHOLD = 0.85


class Router:
    """Routes one ``Message`` to one skill and returns its ``Reply``."""

    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime

    def handle(self, message: Message) -> Reply:
        """Answer a message. Never raises: failures become a reply with a reference id."""
        started = time.perf_counter()
        hint = self._language(message)
        language: Language = hint or self.runtime.settings.default_language
        try:
            reply = self._route(message, language, known=hint is not None)
        except UserFacingError as exc:
            reply = text_reply(exc.message(language), language=language, skill="error")
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("handler failed ref=%s platform=%s channel=%s", ref, message.platform, message.channel)
            reply = text_reply(
                pick(language, f"出了点问题（参考号 {ref}），请稍后再试。", f"Something went wrong (ref {ref}). Please try again."),
                language=language,
                skill="error",
            )
            reply.metadata["error_ref"] = ref
        reply.metadata.setdefault("elapsed_ms", (time.perf_counter() - started) * 1000)
        return reply

    # --- steps ----------------------------------------------------------------------------------
    def _language(self, message: Message) -> Language | None:
        """The question's language; a button press (no text) keeps the thread's language.

        ``None`` when nothing tells (a button on a message the bot started, an empty message):
        the viewer's own language is used once we know who they are.
        """
        text = (message.args if message.command else message.text) or ""
        default: Language = self.runtime.settings.default_language
        if text.strip():
            return detect_language(text, default=default)
        if message.command:
            return detect_language(message.text or "", default=default)
        for item in reversed(Conversation(self.runtime.store, message.conversation_key).history()):
            if item.get("language") in ("zh", "en"):
                return item["language"]  # type: ignore[no-any-return]
        return None

    def _route(self, message: Message, language: Language, *, known: bool = True) -> Reply:
        settings = self.runtime.settings
        text = (message.args if message.command else message.text) or ""
        if len(text) > settings.max_message_chars:
            return text_reply(
                pick(
                    language,
                    f"消息太长了（{len(text)} 字），请控制在 {settings.max_message_chars} 字以内，或把问题拆开问。",
                    f"That message is too long ({len(text)} characters). Please keep it under "
                    f"{settings.max_message_chars} characters or split the question.",
                ),
                language=language,
                skill="error",
            )
        viewer = resolve_viewer(self.runtime.crm, message)
        if viewer is None:
            return text_reply(
                pick(
                    language,
                    "我还不认识你的账号：请让管理员把你的聊天账号关联到 CRM 用户。",
                    "I don't know who you are in the CRM yet: ask your admin to link your chat account to your CRM user.",
                ),
                language=language,
                skill="identity",
            )
        if not known and viewer.language in ("zh", "en"):
            language = viewer.language  # type: ignore[assignment]
        conversation = Conversation(self.runtime.store, message.conversation_key)
        if message.action is None and not message.command and not text.strip():
            return self._fallback(Turn(message, viewer, language, self.runtime, conversation), empty=True)

        entities = self.runtime.entities(viewer).link(text) if text.strip() else []
        turn = Turn(message, viewer, language, self.runtime, conversation, entities=entities)
        skill = self._pick_skill(turn)
        if skill is None:
            reply = self._engine(turn)
        else:
            reply = skill.handle(turn)
        self._remember(turn, reply)
        return reply

    def _pick_skill(self, turn: Turn) -> "Skill | None":
        skills = self.runtime.skills
        message = turn.message
        if message.action is not None:
            skill = skills.get(message.action.skill)
            if skill is None:
                raise UserFacingError(zh="这个按钮已经失效了。", en="That button is no longer valid.")
            return skill
        if message.command:
            skill = self.runtime.skill_for_command(message.command)
            if skill is None:
                raise UserFacingError(
                    zh=f"我不认识命令 /{message.command}。试试 /dealpilot help。",
                    en=f"I don't know the command /{message.command}. Try /dealpilot help.",
                )
            return skill
        owner = turn.conversation.owner
        if owner and owner in skills:
            return skills[owner]
        for skill in skills.values():
            if skill.claims(turn):
                return skill
        return None

    def _engine(self, turn: Turn) -> Reply:
        agent = self.runtime.agent
        if agent is not None and agent.available():
            return agent.answer(turn)
        return self.offline(turn)

    def offline(self, turn: Turn) -> Reply:
        """The offline engine: intent over the masked text, follow-ups inherit the thread's entities."""
        masked = mask_entities(turn.text, turn.entities)
        ranked = self.runtime.classifier.classify(masked)
        if not turn.entities and not (ranked and _has_unlinked_name(masked, ranked[0].example)):
            # "any risks there?" continues the thread's account; "how is Globex doing" names one
            # we could not link (unknown or hidden), and must not be answered about the old one.
            turn.entities = _inherited_entities(turn)
        for candidate in ranked:
            if candidate.score < INTENT_THRESHOLD:
                break
            skill = self.runtime.skills.get(candidate.skill)
            if skill is None:
                continue
            if skill.needs_entity and not any(e.kind in skill.needs_entity for e in turn.entities):
                # "how is it going" is no account question without an account; and with an account
                # in hand, a deal question's wording ("它的情况呢") is about that account, not a deal.
                if turn.entities or candidate.score < ENTITYLESS_THRESHOLD:
                    continue
            turn.intent_score = candidate.score
            return skill.handle(turn)
        if not turn.entities:
            covered = self.runtime.classifier.coverage(masked)
            skill = self.runtime.skills.get(covered.skill) if covered else None
            if covered and skill and covered.score >= COVERAGE_THRESHOLD and _has_unlinked_name(masked, covered.example):
                turn.intent_score = covered.score
                return skill.handle(turn)
        return self._fallback(turn)

    def _fallback(self, turn: Turn, *, empty: bool = False) -> Reply:
        helper = self.runtime.skills.get(FALLBACK_SKILL)
        turn.notes["empty"] = empty
        if helper is None:
            return text_reply(turn.t("我没听懂。", "I didn't understand that."), language=turn.language)
        return helper.handle(turn)

    def _remember(self, turn: Turn, reply: Reply) -> None:
        entities = {e.kind: {"id": e.id, "name": e.name} for e in turn.entities}
        if turn.text:
            turn.conversation.append_history("user", turn.text, entities=entities, language=turn.language)
        turn.conversation.append_history("assistant", reply.text, skill=reply.skill, language=reply.language)


_REFERRING_WORDS = (
    "他们的", "他们", "她们", "它们", "这家公司", "这家客户", "这个客户", "这家", "这个", "那家", "那个", "该客户", "它", "他", "她",
    "their", "them", "they", "there", "this", "that", "these", "those", "its", "it", "the", "one", "account",
    "customer", "company", "and", "what", "about", "please", "pls", "now", "again", "再", "呢", "吗", "的", "了", "请",
)


def _has_unlinked_name(masked: str, example: str) -> bool:
    """Whether the text names something beyond the example's wording (a name we could not link).

    What remains after removing the example's words and referring words ("it", "他们") is taken
    as a name: "how is Globex doing" leaves "globex", "any risks there?" leaves nothing.
    """
    rest = f" {masked} "
    for word in sorted(set(re.sub(r"\{\w+\}", " ", example).lower().split()) | set(_REFERRING_WORDS), key=len, reverse=True):
        if word.isascii():
            rest = re.sub(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", " ", rest)
        else:
            rest = rest.replace(word, " ")
    letters = re.sub(r"[^a-z0-9\u3400-\u9fff]", "", rest.replace("<account>", "").replace("<deal>", "").replace("<person>", ""))
    return len(letters) >= 2


def _inherited_entities(turn: Turn) -> list[EntityMatch]:
    """Entities from earlier in the thread, for "and their open deals?" style follow-ups."""
    remembered = turn.conversation.last_entities()
    return [
        EntityMatch(kind=kind, id=str(v["id"]), name=v["name"], score=50.0, matched="")
        for kind, v in remembered.items()
    ]
