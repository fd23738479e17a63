"""Role-play trainer: scenarios, scripted and LLM customers, a transparent rubric, levels."""

from skills.roleplay.skill import RolePlaySkill

__all__ = ["RolePlaySkill"]
