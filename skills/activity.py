"""Log a touch from chat ("/log visited the buyer, renewal confirmed") — previewed, then written on Confirm.

Writes never happen on the first message: the skill shows exactly what will be recorded and on
which account, and waits for the user's yes (the same rule the LLM agent follows).
"""

from __future__ import annotations

import re
import uuid

from bot import audit
from bot.errors import InvalidInput, NotFoundOrHidden
from bot.events import crm_changed
from bot.messages import Button, Buttons, Fields, Reply, Section
from bot.skill import Skill
from bot.turn import Turn
from integrations.crm.local.crm import record_dict

KINDS = {
    "拜访": "visit", "电话": "call", "邮件": "email", "会议": "meeting",
    "visit": "visit", "visited": "visit", "call": "call", "called": "call", "email": "email",
    "emailed": "email", "meeting": "meeting", "met": "meeting",
}
PENDING_KEY = "activity_pending_writes"
NOT_FOUND = NotFoundOrHidden(zh="我找不到你有权限查看的这个客户。", en="I can't find an account you have access to.")


class ActivitySkill(Skill):
    name = "activity"
    description_zh = "记录跟进：拜访、电话、邮件、会议（确认后才写入 CRM）"
    description_en = "Log a touch (visit, call, email, meeting) — written to the CRM only after you confirm"
    commands = ("log",)
    needs_entity = ("account", "deal")
    examples = (
        "记录一次 {account} 的拜访", "记一下今天给 {account} 打了电话", "登记跟进 {account}",
        "log a call with {account}", "log a visit to {account}", "record a meeting with {account}",
    )

    def handle(self, turn: Turn) -> Reply:
        action = turn.message.action
        if action is not None:
            return self._confirm(turn, action.value) if action.verb == "confirm" else self._cancel(turn, action.value)
        return self._preview(turn)

    def _preview(self, turn: Turn) -> Reply:
        summary = turn.text.strip()
        if not summary:
            raise InvalidInput(zh="请写上跟进内容，例如：/log 拜访了采购负责人，确认续约意向",
                               en="Please say what happened, e.g. /log visited the buyer, renewal confirmed")
        account_id = self._account(turn)
        account = turn.crm.get_account(turn.viewer, account_id)
        if account is None:
            raise NOT_FOUND
        kind = next((k for word, k in KINDS.items() if re.search(rf"\b{word}\b" if word.isascii() else word, summary.lower())), "note")
        pending_id = uuid.uuid4().hex[:10]
        pending = dict(turn.conversation.get_data(PENDING_KEY, {}))
        pending[pending_id] = {"account_id": account.id, "kind": kind, "summary": summary[:2000]}
        turn.conversation.put_data(PENDING_KEY, pending)
        name = account.name_zh if turn.language == "zh" else account.name_en
        text = turn.t(f"将在 {name} 记录一条{kind}：{summary[:200]}。确认吗？",
                      f"I will log a {kind} on {name}: {summary[:200]}. Confirm?")
        return Reply(text=text, language=turn.language, skill=self.name, blocks=[
            Section(text=text),
            Fields(items=[(turn.t("客户", "Account"), name), (turn.t("类型", "Type"), kind),
                          (turn.t("内容", "Summary"), summary[:300])]),
            Buttons(buttons=[
                Button(text=turn.t("确认", "Confirm"), action_id="activity:confirm", value=pending_id, style="primary"),
                Button(text=turn.t("取消", "Cancel"), action_id="activity:cancel", value=pending_id),
            ]),
        ])

    def _account(self, turn: Turn) -> int:
        entity = turn.entity("account")
        if entity is not None:
            return int(entity.id)
        deal = turn.entity("deal")
        if deal is not None:
            opp = turn.crm.get_opportunity(turn.viewer, int(deal.id))
            if opp is not None:
                return opp.account_id
        remembered = turn.conversation.last_entities().get("account")
        if remembered:
            return int(remembered["id"])
        raise InvalidInput(zh="要记在哪个客户上？请在消息里写上客户名。",
                           en="Which account is this for? Please name the account in the message.")

    def _take_pending(self, turn: Turn, pending_id: str) -> dict | None:
        pending = dict(turn.conversation.get_data(PENDING_KEY, {}))
        taken = pending.pop(pending_id, None)
        turn.conversation.put_data(PENDING_KEY, pending)
        return taken

    def _confirm(self, turn: Turn, pending_id: str) -> Reply:
        pending = self._take_pending(turn, pending_id)
        if pending is None:
            raise InvalidInput(zh="这条记录已经处理过或已过期。", en="That entry was already handled or has expired.")
        activity = turn.crm.log_activity(turn.viewer, account_id=pending["account_id"], kind=pending["kind"],
                                         summary=pending["summary"])
        audit.record(self.runtime.store, actor=turn.viewer.user_id, action="crm.log_activity",
                     target=f"crm://account/{pending['account_id']}", before=None, after=record_dict(activity))
        crm_changed(self.runtime, [pending["account_id"]], event="activity")  # e.g. alert rules re-check it now
        text = turn.t("已记录。", "Logged.")
        return Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill=self.name)

    def _cancel(self, turn: Turn, pending_id: str) -> Reply:
        self._take_pending(turn, pending_id)
        text = turn.t("已取消，没有写入任何内容。", "Cancelled — nothing was written.")
        return Reply(text=text, blocks=[Section(text=text)], language=turn.language, skill=self.name)
