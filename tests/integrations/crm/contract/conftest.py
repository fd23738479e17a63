"""The contract suite's fixtures: one ``backend`` per CRM implementation, all holding the demo company.

``local`` is the embedded CRM on a private copy of the demo database. ``hubspot`` and
``salesforce`` are the live connectors (real SDK clients) against local peers seeded from the same
demo company, over a private copy of the demo database that supplies what the vendors lack
(orders, competitor signals, contracts, milestones). A new connector joins by adding a backend here.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.store import Store
from integrations.crm.base import CRM
from integrations.crm.local.crm import LocalCRM
from tests.peers import hubspot_peer, salesforce_peer

BACKENDS = ("local", "hubspot", "salesforce")
REMOTES = ("hubspot", "salesforce")


@dataclass
class Backend:
    """A CRM under test plus what tests need to poke at its vendor side."""

    name: str
    crm: CRM
    store: Store
    peer: Any = None
    ids: dict[str, dict[int, str]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def connect(self, **overrides: Any) -> CRM:
        """Another connector to the same peer and store (e.g. with a bad token or no cache)."""
        return build_crm(self.name, self.store, self.peer, **{**self.options, **overrides})


def build_crm(name: str, store: Store, peer: Any, **options: Any) -> CRM:
    if name == "local":
        return LocalCRM(store)
    if name == "hubspot":
        from integrations.crm.hubspot import HubSpotCRM

        opts = {"access_token": hubspot_peer.TOKEN, "host": peer.url if peer else None, "backoff_s": 0.01,
                "cache_ttl_s": 30.0, **options}
        return HubSpotCRM(store, **opts)
    from integrations.crm.salesforce import SalesforceCRM

    opts = {"instance_url": peer.url if peer else None, "session_id": salesforce_peer.SESSION_ID, "backoff_s": 0.01,
            "cache_ttl_s": 30.0, **options}
    return SalesforceCRM(store, **opts)


@pytest.fixture(scope="session")
def peer_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return salesforce_peer.make_certificate(tmp_path_factory.mktemp("sf-tls"))


@pytest.fixture(scope="module")
def seeded_peers(demo_db_template: Path, peer_cert: tuple[Path, Path]) -> Iterator[dict[str, tuple[Any, dict]]]:
    """Both peers seeded from the demo company once per module (tests that write use fresh records)."""
    store = Store.open(f"sqlite:///{demo_db_template}", migrate_schema=False)
    hs = hubspot_peer.HubSpotPeer().start()
    sf = salesforce_peer.SalesforcePeer.serve(*peer_cert)
    try:
        peers = {"hubspot": (hs, hubspot_peer.seed_from_store(hs, store)),
                 "salesforce": (sf, salesforce_peer.seed_from_store(sf, store))}
    finally:
        store.dispose()
    hs.page_cap = 37  # odd page sizes: every list crosses page boundaries
    yield peers
    hs.stop()
    sf.stop()


def _store_copy(tmp_path: Path, demo_db_template: Path) -> Store:
    path = tmp_path / "contract.db"
    shutil.copy(demo_db_template, path)
    return Store.open(f"sqlite:///{path}")


@pytest.fixture
def make_backend(tmp_path: Path, demo_db_template: Path, seeded_peers: dict[str, Any],
                 peer_cert: tuple[Path, Path]):  # type: ignore[no-untyped-def]
    stores: list[Store] = []

    def _make(name: str) -> Backend:
        store = _store_copy(tmp_path / name if (tmp_path / name).mkdir() is None else tmp_path, demo_db_template)
        stores.append(store)
        if name == "local":
            return Backend(name, LocalCRM(store), store)
        peer, ids = seeded_peers[name]
        peer.clear()
        options = {"verify": str(peer_cert[0])} if name == "salesforce" else {}
        return Backend(name, build_crm(name, store, peer, **options), store, peer, ids, options)

    yield _make
    for store in stores:
        store.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, make_backend) -> Backend:  # type: ignore[no-untyped-def]
    return make_backend(request.param)  # type: ignore[no-any-return]


@pytest.fixture(params=REMOTES)
def remote(request: pytest.FixtureRequest, make_backend) -> Backend:  # type: ignore[no-untyped-def]
    return make_backend(request.param)  # type: ignore[no-any-return]
