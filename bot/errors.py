"""Errors a user can act on, carrying their message in both languages.

Adapters turn a ``UserFacingError`` into a friendly reply; anything else becomes
"something went wrong (ref …)" with the correlation id logged.
"""

from __future__ import annotations

from bot.lang import Language, pick


class UserFacingError(Exception):
    """An error whose message is safe and useful to show the user."""

    def __init__(self, *, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en

    def message(self, language: Language) -> str:
        return pick(language, self.zh, self.en)


class NotFoundOrHidden(UserFacingError):
    """The record does not exist *or* the viewer may not see it; the two are deliberately alike."""


class PermissionDenied(UserFacingError):
    """The viewer is known but the action is not allowed for their role."""


class InvalidInput(UserFacingError):
    """The message or file is malformed; nothing was changed."""


class ServiceUnavailable(UserFacingError):
    """An external system (CRM, LLM, vector store) did not answer."""
