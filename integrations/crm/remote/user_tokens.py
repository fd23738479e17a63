"""Each user's own vendor access token: save, read, forget (delegated access in live mode, issue #10).

With a user's token the live connector calls the vendor as that user, so the vendor's own sharing
rules (HubSpot user permissions, Salesforce sharing) decide what they see. Tokens are secrets: the
value object masks them in ``repr``, ``mask`` is the only form ever printed, and nothing here logs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlmodel import Session

from bot.errors import InvalidInput
from bot.store import Store
from integrations.crm.sync_state import CRMUserToken

SYSTEMS = ("hubspot", "salesforce")


def mask(secret: str) -> str:
    """What may be shown of a token: its length class and last four characters of a long one."""
    return f"****{secret[-4:]}" if len(secret) >= 16 else "****"


def fingerprint(secret: str) -> str:
    """A short one-way id of a token: cache keys change when the token does, without holding it."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class UserToken:
    """A user's vendor credentials; ``repr`` never shows the secrets."""

    system: str
    user_id: str
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    instance_url: str | None = None
    expires_at: datetime | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.access_token)

    def expired(self, now: datetime | None = None) -> bool:
        if self.expires_at is None:
            return False
        expires = self.expires_at if self.expires_at.tzinfo else self.expires_at.replace(tzinfo=timezone.utc)
        return expires <= (now or datetime.now(timezone.utc))


def _check_system(system: str) -> None:
    if system not in SYSTEMS:
        raise InvalidInput(zh=f"不支持按用户连接的 CRM：{system}（支持 hubspot、salesforce）。",
                           en=f"Per-user connections exist for hubspot and salesforce, not {system}.")


def save_user_token(store: Store, *, system: str, user_id: str, access_token: str,
                    refresh_token: str | None = None, instance_url: str | None = None,
                    expires_at: datetime | None = None) -> UserToken:
    """Store (or replace) ``user_id``'s token for ``system``; an empty or multi-line token is refused."""
    _check_system(system)
    token = access_token.strip()
    if not token or any(c.isspace() for c in token):
        raise InvalidInput(zh="令牌为空或格式不对（应为一行，不含空格）。",
                           en="The token is empty or malformed (one line, no spaces).")
    row = CRMUserToken(system=system, user_id=user_id, access_token=token,
                       refresh_token=(refresh_token or "").strip() or None, instance_url=instance_url or None,
                       expires_at=expires_at, updated_at=datetime.now(timezone.utc))
    with Session(store.engine) as s:
        s.merge(row)
        s.commit()
    return UserToken(system, user_id, token, row.refresh_token, row.instance_url, expires_at)


def get_user_token(store: Store, system: str, user_id: str) -> UserToken | None:
    with Session(store.engine) as s:
        row = s.get(CRMUserToken, (system, user_id))
        if row is None:
            return None
        return UserToken(row.system, row.user_id, row.access_token, row.refresh_token, row.instance_url,
                         row.expires_at)


def delete_user_token(store: Store, system: str, user_id: str) -> bool:
    """Forget the token; True when there was one."""
    with Session(store.engine) as s:
        row = s.get(CRMUserToken, (system, user_id))
        if row is None:
            return False
        s.delete(row)
        s.commit()
        return True
