"""Deal war-rooms: one channel per key deal with a live card, owned tasks, digests and deal Q&A.

Modules: ``skill`` (chat), ``service`` (create, card refresh, tasks, reminders, digests),
``channels`` (the platform port and the console platform), ``deal`` (one read of the deal),
``card`` / ``gantt`` (what the room shows), ``tasks`` / ``dates`` (parsing), ``qa``, ``digest``,
``health``, ``risks``, ``resolve`` (which deal a request means), ``repo`` and ``models`` (tables),
``cli`` (``dealpilot warroom``).
"""

from __future__ import annotations

from skills.warroom.channels import ROOM_PLATFORMS_SERVICE, RoomPlatform, register_room_platform, room_platform
from skills.warroom.skill import WarRoomSkill

__all__ = ["ROOM_PLATFORMS_SERVICE", "RoomPlatform", "WarRoomSkill", "register_room_platform", "room_platform"]
