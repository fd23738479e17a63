"""The embedded CRM: DealPilot's own sales record on SQLModel, for small teams and demos."""
