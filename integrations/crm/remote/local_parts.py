"""What vendor CRMs lack, read from the embedded store by DealPilot id.

Orders (ERP), competitor signals, contracts and delivery milestones have no home in HubSpot or
Salesforce. The caller has already checked, against the vendor, that the viewer may see the
account or deal; these reads therefore take ids, not a viewer.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from bot.store import Store
from integrations.crm.entities import CompetitorSignalRecord, ContractRecord, MilestoneRecord, OrderRecord
from integrations.crm.local.models import CompetitorSignal, Contract, Milestone, Order


class LocalParts:
    def __init__(self, store: Store) -> None:
        self.store = store

    def orders(self, account_id: int, since: date | None) -> list[OrderRecord]:
        query = select(Order).where(Order.account_id == account_id)
        if since is not None:
            query = query.where(Order.order_date >= since)
        with Session(self.store.engine) as s:
            return [OrderRecord.model_validate(o.model_dump()) for o in s.exec(query.order_by(Order.order_date))]

    def competitor_signals(self, account_id: int, since: date | None) -> list[CompetitorSignalRecord]:
        query = select(CompetitorSignal).where(CompetitorSignal.account_id == account_id)
        if since is not None:
            query = query.where(CompetitorSignal.observed_at >= since)
        with Session(self.store.engine) as s:
            rows = s.exec(query.order_by(CompetitorSignal.observed_at))
            return [CompetitorSignalRecord.model_validate(c.model_dump()) for c in rows]

    def contract(self, opportunity_id: int) -> ContractRecord | None:
        with Session(self.store.engine) as s:
            row = s.exec(select(Contract).where(Contract.opportunity_id == opportunity_id)).first()
            return ContractRecord.model_validate(row.model_dump()) if row else None

    def milestones(self, opportunity_id: int) -> list[MilestoneRecord]:
        with Session(self.store.engine) as s:
            rows = s.exec(select(Milestone).where(Milestone.opportunity_id == opportunity_id)
                          .order_by(Milestone.planned_date, Milestone.id))
            return [MilestoneRecord.model_validate(m.model_dump()) for m in rows]
