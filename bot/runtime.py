"""The process's wiring: settings, store, CRM, skills, engines. One ``Runtime`` per bot process.

Adapters hold a runtime and call ``runtime.handle(message)``; tests build one on a temporary
database. Nothing here knows about Slack or DingTalk.
"""

from __future__ import annotations

import re
import threading
import time
from typing import TYPE_CHECKING, Any

from bot.config import Settings, get_settings
from bot.intent import EntityIndex, IntentClassifier
from bot.messages import Message, Reply
from bot.router import Router
from bot.skill import Skill, discover_skills
from bot.store import Store
from integrations.crm.base import CRM
from integrations.crm.viewer import Viewer

if TYPE_CHECKING:
    from bot.tools import Tool

ENTITY_CACHE_SECONDS = 60.0


class Runtime:
    """Everything a skill may need, built once from settings."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store: Store | None = None,
        crm: CRM | None = None,
        skills: list[Skill] | None = None,
        agent: Any = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.settings.home.mkdir(parents=True, exist_ok=True)
        self.store = store or Store.open(self.settings.resolved_database_url)
        self.crm = crm or build_crm(self.settings, self.store)
        self._lock = threading.Lock()
        self._services: dict[str, Any] = {}  # before ``bind``: skills may register services and hooks there
        found = skills if skills is not None else discover_skills(exclude=set(self.settings.disabled_skills))
        self.skills: dict[str, Skill] = {s.name: s for s in found}
        for skill in self.skills.values():
            skill.bind(self)
        self.classifier = IntentClassifier({s.name: s.examples for s in self.skills.values() if s.examples})
        self._agent = agent
        self._agent_built = agent is not None
        self._entity_cache: dict[str, tuple[float, EntityIndex]] = {}
        self.router = Router(self)

    # --- answering ------------------------------------------------------------------------------
    def handle(self, message: Message) -> Reply:
        return self.router.handle(message)

    def skill_for_command(self, command: str) -> Skill | None:
        name = command.lstrip("/").lower()
        return next((s for s in self.skills.values() if name in s.commands), None)

    @property
    def agent(self) -> Any:
        """The LLM agent when ``DEALPILOT_LLM_*`` is configured, else ``None`` (offline engine)."""
        if not self._agent_built:
            self._agent_built = True
            if self.settings.llm_configured:
                from bot.agent import build_agent

                self._agent = build_agent(self)
        return self._agent

    def tools(self) -> list["Tool"]:
        return [tool for skill in self.skills.values() for tool in skill.tools()]

    # --- shared services ------------------------------------------------------------------------
    def entities(self, viewer: Viewer) -> EntityIndex:
        """The names ``viewer`` may see, cached briefly so each message does not rebuild the index."""
        now = time.monotonic()
        cached = self._entity_cache.get(viewer.user_id)
        if cached and now - cached[0] < ENTITY_CACHE_SECONDS:
            return cached[1]
        index = build_entity_index(self.crm, viewer)
        with self._lock:
            self._entity_cache[viewer.user_id] = (now, index)
        return index

    def invalidate_entities(self) -> None:
        with self._lock:
            self._entity_cache.clear()

    def service(self, name: str, factory: Any) -> Any:
        """A lazily built, process-wide service (knowledge base, renderer...), built once."""
        with self._lock:
            if name not in self._services:
                self._services[name] = factory()
            return self._services[name]

    def close(self) -> None:
        for svc in self._services.values():
            closer = getattr(svc, "close", None)
            if callable(closer):
                closer()
        self.store.dispose()


def build_entity_index(crm: CRM, viewer: Viewer) -> EntityIndex:
    entries: list[tuple[str, str, str, list[str]]] = []
    account_names: dict[int, list[str]] = {}
    for a in crm.list_accounts(viewer):
        names = [a.name_zh, a.name_en, *a.aliases]
        account_names[a.id] = names
        entries.append(("account", str(a.id), a.name_zh if viewer.language == "zh" else a.name_en, names))
    for o in crm.list_opportunities(viewer):
        entries.append(("deal", str(o.id), o.name, deal_aliases(o.name, o.name_en, account_names.get(o.account_id, []))))
    for u in crm.list_users():
        entries.append(("person", u.id, u.name, [u.name, u.name_en, u.id]))
    return EntityIndex(entries)


_PARENTHETICAL = re.compile(r"\s*[（(][^）)]*[）)]\s*")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


def deal_aliases(name: str, name_en: str, account_names: list[str]) -> list[str]:
    """How people say a deal's name: without "(12 cities)", and without the customer's name in front.

    "江苏能源5G专网项目（12城）" is also "江苏能源5G专网项目" and "5G专网项目";
    "Jiangsu Energy 5G Private Network (12 cities)" is also "5G Private Network".
    """
    aliases = {name, name_en}
    account_chars = {ch for n in account_names for ch in n if _CJK_CHAR.match(ch)}
    account_words = [n.lower().split() for n in account_names if n.isascii()]
    for full in (name, name_en):
        short = _PARENTHETICAL.sub(" ", full or "").strip()
        aliases.add(short)
        stripped = 0
        while stripped < len(short) and short[stripped] in account_chars:
            stripped += 1
        if stripped >= 2 and len(short) - stripped >= 4:
            aliases.add(short[stripped:].strip())
        words = short.split()
        for account in account_words:
            k = 0
            while k < min(len(account), len(words) - 1) and words[k].lower() == account[k]:
                k += 1
            if k >= 1:
                aliases.add(" ".join(words[k:]))
    return [a for a in aliases if a]


def build_crm(settings: Settings, store: Store) -> CRM:
    """The configured connector (``DEALPILOT_CRM``): the embedded CRM unless told otherwise."""
    if settings.crm == "local" or settings.crm_mode == "sync":
        from integrations.crm.local.crm import LocalCRM

        return LocalCRM(store)
    from integrations.crm.factory import build_remote_crm

    return build_remote_crm(settings, store)
