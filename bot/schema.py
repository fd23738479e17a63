"""Import every module that defines tables, so ``SQLModel.metadata`` knows the whole schema.

Alembic's autogenerate and the test fixtures read the metadata from here. A package that adds
tables lists its models module below.
"""

from __future__ import annotations

import importlib

from sqlmodel import SQLModel

MODEL_MODULES: tuple[str, ...] = (
    "bot.models",
    "bot.ratelimit",
    "bot.outbox",
    "bot.scheduler",
    "integrations.crm.local.models",
    "integrations.crm.sync_state",
    "knowledge.models",
    "skills.warroom.models",
    "skills.alerts.models",
    "skills.roleplay.models",
)


def load_all_models() -> type[SQLModel]:
    """Import the model modules that exist in this installation and return ``SQLModel``."""
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not (exc.name and name.startswith(exc.name)):  # a broken existing module must surface
                raise
    return SQLModel
