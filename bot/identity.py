"""Chat identity -> CRM user: the explicit mapping table first, then the email the platform reports."""

from __future__ import annotations

import logging

from bot.messages import Message
from integrations.crm.base import CRM
from integrations.crm.viewer import Viewer

log = logging.getLogger("dealpilot.identity")

DIRECT_PLATFORMS = ("console", "test")
"""On these the chat user *is* the CRM user id (``dealpilot chat --as li.na``)."""


def resolve_viewer(crm: CRM, message: Message) -> Viewer | None:
    """The viewer behind ``message.user``, or ``None`` when the chat account is not linked."""
    if message.platform in DIRECT_PLATFORMS:
        return crm.viewer_for(message.user)
    lookup = getattr(crm, "user_for_chat_identity", None)
    if lookup is not None:
        user_id = lookup(message.platform, message.workspace, message.user)
        if user_id:
            return crm.viewer_for(user_id)
    email = message.raw.get("user_email") if message.raw else None
    if email:
        user = crm.find_user_by_email(email)
        if user is not None:
            link = getattr(crm, "link_chat_identity", None)
            if link is not None:
                try:
                    link(message.platform, message.workspace, message.user, user.id)
                except Exception:  # two first messages at once: the other worker's link won; ours is the same
                    log.warning("chat identity link not saved (%s); the email match stands", message.platform, exc_info=True)
            return crm.viewer_for(user.id)
    return None
