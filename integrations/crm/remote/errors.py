"""The few ways a vendor CRM fails, as bilingual ``ServiceUnavailable`` errors the router can show.

Messages name the CRM and what to do, never a token, URL with credentials or stack trace.
"""

from __future__ import annotations

from bot.errors import ServiceUnavailable


class CRMUnreachable(ServiceUnavailable):
    """Connection refused, timeouts, 5xx or 429 after every retry."""


class CRMAuthExpired(ServiceUnavailable):
    """401: the access token / session expired or was revoked."""


class CRMUserAuthExpired(CRMAuthExpired):
    """401 on a user's own token: that user must reconnect (never a silent fallback to the integration)."""


class CRMMissingScopes(ServiceUnavailable):
    """403: the app lacks a scope / permission the call needs."""


class CRMBadPayload(ServiceUnavailable):
    """The vendor answered with JSON we cannot read."""


def crm_unreachable(label: str) -> CRMUnreachable:
    return CRMUnreachable(
        zh=f"{label} 暂时连不上，请稍后再试。",
        en=f"The CRM ({label}) is not reachable right now. Please try again in a few minutes.",
    )


def crm_auth_expired(label: str) -> CRMAuthExpired:
    return CRMAuthExpired(
        zh=f"DealPilot 与 {label} 的连接已过期，请管理员重新授权（更新访问令牌）。",
        en=f"DealPilot's connection to {label} has expired: ask your admin to renew the access token.",
    )


def crm_user_auth_expired(label: str) -> CRMUserAuthExpired:
    return CRMUserAuthExpired(
        zh=f"你的 {label} 连接已过期，请重新连接你的 {label} 账号（dealpilot crm connect-user）后再问。",
        en=f"Your {label} connection has expired: reconnect your {label} account (dealpilot crm connect-user) "
           "and ask again.",
    )


def crm_missing_scopes(label: str, scopes: list[str]) -> CRMMissingScopes:
    needed = ", ".join(scopes) or "?"
    return CRMMissingScopes(
        zh=f"DealPilot 的 {label} 应用缺少权限：{needed}。请管理员在应用设置中授予后重试。",
        en=f"DealPilot's {label} app lacks a permission it needs ({needed}); ask your admin to grant it.",
    )


def crm_bad_payload(label: str) -> CRMBadPayload:
    return CRMBadPayload(
        zh=f"{label} 返回了无法识别的数据，已记录，请稍后再试。",
        en=f"The CRM ({label}) sent an answer DealPilot could not read; it has been logged. Please try again later.",
    )
