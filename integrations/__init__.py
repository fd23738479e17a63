"""Connections to systems outside DealPilot (CRMs today; webhooks and others later)."""
