"""The web's name index stays fresh through a delta, without rebuilding the main index."""

from __future__ import annotations

from sqlalchemy import select

from freedomledger.ledger import Ledger
from freedomledger.ledger import registry as reg
from freedomledger.model import Name, Person
from freedomledger.store.tables import names, persons
from freedomledger.web.search import NameSearch


def _add(ledger: Ledger, key: str, *texts: str, published: bool = True) -> None:
    with ledger.transaction("test") as tx:
        source, _ = tx.source(kind="manual", key=f"src-{key}", title="index test")
        reg.upsert_person(tx, Person(key=key, published=published, names=[Name(text=t) for t in texts]), source)


def _keys(search: NameSearch, public: bool, query: str) -> list[str]:
    return [h.id for h in search.hits(public, query, top_k=10, min_score=0.7)]


def test_changes_reach_search_through_the_delta(ledger: Ledger) -> None:
    _add(ledger, "anna", "Anna Prykladava", "Ганна Прыкладава")
    search = NameSearch(ledger, check_every_s=0.0)
    assert _keys(search, True, "Hanna Prykladava") == ["person:anna"]
    built_at = search.status()["public"]["version"]

    # A new person, a new alias of an old one, and an unpublished person.
    _add(ledger, "ales", "Ales Bialiatski", "Алесь Бяляцкі")
    _add(ledger, "anna", "Anna Prykladova")
    _add(ledger, "hidden", "Secretus Hiddenov", published=False)
    assert _keys(search, True, "Алесь Бяляцкі") == ["person:ales"]
    hit = search.hits(True, "Anna Prykladova", top_k=10, min_score=0.7)[0]
    assert (hit.id, hit.name, hit.score) == ("person:anna", "Anna Prykladova", 1.0)
    assert _keys(search, True, "Secretus Hiddenov") == []
    assert _keys(search, False, "Secretus Hiddenov") == ["person:hidden"]
    status = search.status()["public"]
    assert status["version"] == built_at, "the main index must not have been rebuilt"
    assert status["delta_names"] == 5  # anna's three names and ales's two

    # Retracting a name and unpublishing a person take them out of the public results.
    with ledger.transaction("test") as tx:
        old = tx.conn.execute(select(names.c.id).where(names.c.text == "Anna Prykladava")).scalar_one()
        tx.retract(names, old, "misspelt")
        ales = tx.conn.execute(select(persons.c.id).where(persons.c.key == "ales")).scalar_one()
        tx.update(persons, ales, {"published": False})
    assert [h.name for h in search.hits(True, "Anna Prykladava", top_k=10, min_score=0.9)] == ["Anna Prykladova"]
    assert _keys(search, True, "Ales Bialiatski") == []
    assert _keys(search, False, "Ales Bialiatski") == ["person:ales"]

    # A change search does not see (a new source) moves the delta's version, not its names.
    before = search.status()["public"]
    with ledger.transaction("test") as tx:
        tx.source(kind="manual", key="unrelated", title="no names here")
    _keys(search, True, "Anna Prykladova")
    after = search.status()["public"]
    assert after["delta_version"] > before["delta_version"] and after["delta_names"] == before["delta_names"]


def test_a_large_delta_rebuilds_the_main_index(ledger: Ledger) -> None:
    _add(ledger, "anna", "Anna Prykladava")
    search = NameSearch(ledger, check_every_s=0.0, delta_max_names=2)
    _keys(search, True, "Anna Prykladava")
    first = search.status()["public"]["version"]
    _add(ledger, "ales", "Ales Bialiatski", "Алесь Бяляцкі", "Aleś Bialacki")
    _keys(search, True, "Ales Bialiatski")  # starts the rebuild
    search._slots[True].done.wait(30)
    assert _keys(search, True, "Ales Bialiatski") == ["person:ales"]
    status = search.status()["public"]
    assert status["version"] > first and status["names"] == 4 and status["delta_names"] == 0


def test_searches_before_the_index_is_ready_say_so(ledger: Ledger, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    from test_web_support import client, make_app

    from freedomledger.web import search as search_module

    _add(ledger, "anna", "Anna Prykladava")
    release = threading.Event()
    real_index_of = search_module._index_of

    def slow_index_of(rows):  # type: ignore[no-untyped-def]
        release.wait(30)  # the build cannot finish until the requests below are answered
        return real_index_of(rows)

    monkeypatch.setattr(search_module, "_index_of", slow_index_of)
    app = make_app(ledger, index_wait_s=0.0, build_index_on_start=False)
    try:
        with client(app) as c:
            api = c.get("/api/search", params={"q": "Anna Prykladava"})
            assert api.status_code == 503 and api.headers["retry-after"] == "5"
            assert api.json()["error"]["code"] == "index_building"
            page = c.get("/search", params={"q": "Anna Prykladava"})
            assert page.status_code == 200 and "still being built" in page.text
            release.set()
            app.state.web.search._slots[True].done.wait(30)
            assert c.get("/api/search", params={"q": "Anna Prykladava"}).json()["items"][0]["key"] == "anna"
    finally:
        release.set()


def test_a_person_hidden_since_the_index_looked_is_not_shown(ledger: Ledger) -> None:
    from freedomledger.web.search import run_search

    _add(ledger, "anna", "Anna Prykladava")
    _add(ledger, "ania", "Anna Prykladova")
    search = NameSearch(ledger, check_every_s=3600.0)  # an index that has not looked since

    def shown() -> list[str]:
        with ledger.read() as conn:
            _, items = run_search(conn, search, "Anna Prykladava", public=True, script="latin")
        return sorted(i["key"] for i in items)

    assert shown() == ["ania", "anna"]
    with ledger.transaction("test") as tx:
        anna = tx.conn.execute(select(persons.c.id).where(persons.c.key == "anna")).scalar_one()
        tx.update(persons, anna, {"published": False})
    assert _keys(search, True, "Anna Prykladava") == ["person:anna", "person:ania"]  # still in the index
    assert shown() == ["ania"]  # but the page is read with the caller's visibility
