"""The bundled sample dataset: valid, loadable on both databases, and true to its policy."""

from __future__ import annotations

import pytest

from freedomledger.ledger import Ledger, queries
from freedomledger.ledger.loading import load_dataset
from freedomledger.model import Script
from freedomledger.sources.sample import default_dir, read_dataset


@pytest.fixture(scope="module")
def sample():  # type: ignore[no-untyped-def]
    return read_dataset(default_dir())


def test_sample_has_at_least_forty_people_in_both_scripts(sample) -> None:  # type: ignore[no-untyped-def]
    assert len(sample.persons) >= 40
    for key, rec in sample.persons.items():
        scripts = {n.script for n in rec.value.names}
        if Script.cyrillic not in scripts:
            # the policy: leave a spelling out rather than guess it, and say so
            assert "Cyrillic" in (rec.value.notes or ""), f"{key} has no Cyrillic name and no note why"
        assert Script.latin in scripts, key


def test_sample_loads_and_answers_the_canonical_questions(ledger: Ledger, sample) -> None:  # type: ignore[no-untyped-def]
    with ledger.transaction("loader") as tx:
        load_dataset(tx, sample)
    with ledger.transaction("loader") as tx:
        load_dataset(tx, sample)
        assert tx.changes == 0  # loading twice changes nothing
    with ledger.read() as conn:
        march = queries.release_view(conn, "rel-2026-03-19")
        december = queries.release_view(conn, "rel-2025-12-13")
        deals = queries.list_deals(conn)
        held = {p["key"] for p in queries.list_persons(conn, held=True)}
    assert march["announced_count"] == 250
    named = {p["key"] for p in march["released"]}
    assert {"valiantsin-stefanovich", "marfa-rabkova", "nasta-loika"} <= named
    assert "valiantsin-stefanovich" not in {p["key"] for p in december["released"]}
    assert "maria-kalesnikava" in {p["key"] for p in december["released"]}
    assert {d["counterpart"] for d in deals} == {"US"}
    relief = {a["target"] for d in deals for a in d["sanction_actions"]}
    assert {"belavia", "belaruskali"} <= relief
    assert "maria-kalesnikava" not in held and "valiantsin-stefanovich" not in held
