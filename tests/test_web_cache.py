"""WebState.cached: one computation per ledger version; slow values are refreshed behind."""

from __future__ import annotations

import threading
import time

import pytest

from freedomledger.ledger import Ledger
from freedomledger.web import app as app_module
from freedomledger.web.app import create_app
from freedomledger.web.settings import Settings


def _touch(ledger: Ledger, n: int) -> None:
    with ledger.transaction("test") as tx:
        tx.source(kind="manual", key=f"cache-{n}", title="moves the ledger version")


def _state(ledger: Ledger):  # type: ignore[no-untyped-def]
    return create_app(Settings(secret="x" * 32, build_index_on_start=False), ledger=ledger).state.web


def test_concurrent_requests_share_one_computation(sqlite_ledger: Ledger) -> None:
    web, calls = _state(sqlite_ledger), []

    def make(conn):  # type: ignore[no-untyped-def]
        calls.append(1)
        time.sleep(0.2)
        return len(calls)

    got: list[int] = []
    threads = [threading.Thread(target=lambda: got.append(web.cached("v", True, make))) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [1] * 5 and len(calls) == 1
    _touch(sqlite_ledger, 1)
    assert web.cached("v", True, make) == 2  # a fast value is recomputed at once


def test_a_slow_value_is_served_stale_while_it_is_recomputed(sqlite_ledger: Ledger,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "SLOW_S", 0.0)
    monkeypatch.setattr(app_module, "SLOW_REFRESH_S", 0.0)
    web, calls = _state(sqlite_ledger), []
    done = threading.Event()

    def make(conn):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            done.set()
        return len(calls)

    assert web.cached("v", True, make) == 1
    _touch(sqlite_ledger, 1)
    assert web.cached("v", True, make) == 2  # the first computation may include warm-up: not trusted
    _touch(sqlite_ledger, 2)
    time.sleep(0.1)  # past ten times the (tiny) cost of the last computation
    assert web.cached("v", True, make) == 2  # stale, while a thread computes the new value
    assert done.wait(10)
    deadline = time.monotonic() + 10
    while web.cached("v", True, make) != 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert web.cached("v", True, make) == 3 and len(calls) == 3


def test_a_slow_value_is_recomputed_at_most_once_per_interval(sqlite_ledger: Ledger,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "SLOW_S", 0.0)
    monkeypatch.setattr(app_module, "SLOW_REFRESH_S", 3600.0)
    web, calls = _state(sqlite_ledger), []
    make = lambda conn: calls.append(1) or len(calls)  # noqa: E731
    web.cached("v", True, make)
    _touch(sqlite_ledger, 1)
    web.cached("v", True, make)
    for n in range(2, 5):
        _touch(sqlite_ledger, n)
        assert web.cached("v", True, make) == 2  # the last value, not recomputed within the hour
    time.sleep(0.2)
    assert len(calls) == 2
