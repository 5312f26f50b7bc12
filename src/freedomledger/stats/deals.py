"""The deal ledger: one row per deal and totals per counterpart. Pure, over deal views.

Input is what `ledger.queries.deal_view` returns (a deal with its releases, sanction actions,
meetings and sources); the SQL layer fetches those and drops what a filter excludes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Sanction actions that give something to the sanctioned side.
RELIEF = frozenset({"delisted", "eased", "general_licence"})


def _day(text: str | None) -> dt.date | None:
    """The earliest day a stored date text can mean (2025-12-13, 2025-12, 2025, a..b)."""
    if not text:
        return None
    first = text.split("..", 1)[0]
    parts = first.split("-")
    return dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)


@dataclass
class DealRow:
    key: str
    title: str
    counterpart: str | None
    date: str | None
    releasing_states: list[str]
    releases: list[dict[str, Any]]
    mediators: list[str]
    announced: int | None
    named: int
    notable: list[str]
    concessions: list[dict[str, Any]]
    meetings: list[dict[str, Any]]
    sources: list[dict[str, Any]]

    @property
    def relief(self) -> list[dict[str, Any]]:
        return [c for c in self.concessions if c["action"] in RELIEF]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "title": self.title, "counterpart": self.counterpart, "date": self.date,
            "releasing_states": self.releasing_states, "releases": self.releases,
            "mediators": self.mediators, "announced": self.announced, "named": self.named,
            "notable": self.notable, "concessions": self.concessions, "meetings": self.meetings,
            "sources": self.sources,
        }

    def flat(self) -> dict[str, Any]:
        """One line per deal, lists joined, for tables and CSV."""
        return {
            "date": self.date, "deal": self.key, "counterpart": self.counterpart or "",
            "releasing_state": ", ".join(self.releasing_states),
            "mediators": "; ".join(self.mediators),
            "announced": self.announced, "named": self.named,
            "notable": "; ".join(self.notable),
            "concessions": "; ".join(
                f"{c['authority']} {c['action']} {c['target'] or '?'} ({c['date']})" for c in self.concessions
            ),
            "sources": "; ".join(s.get("outlet") or s.get("title") or s.get("key") or "?" for s in self.sources),
        }


def _unique(items: Iterable[Any]) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def deal_row(
    view: Mapping[str, Any],
    *,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    country: str | None = None,
    authority: str | None = None,
) -> DealRow | None:
    """Shape one deal view; None when, after the filters, nothing of the deal is left.

    A deal is dated by its first release (else its first concession or meeting); `since`
    and `until` select deals by that date, `as_of` drops every part dated after it.
    """

    def in_time(date: str | None) -> bool:
        day = _day(date)
        return as_of is None or (day is not None and day <= as_of)

    releases = [r for r in view["releases"] if in_time(r["date"])]
    if country:
        releases = [r for r in releases if r["releasing_state"] == country]
    actions = [a for a in view["sanction_actions"] if in_time(a["date"])]
    if authority:
        actions = [a for a in actions if a["authority"] == authority]
    meetings = [m for m in view["meetings"] if in_time(m["date"])]
    if country and not releases:
        return None
    if not releases and not actions and not meetings:
        return None
    dates = [d for d in (
        [r["date"] for r in releases] or [a["date"] for a in actions] or [m["date"] for m in meetings]
    ) if d]
    date = min(dates, key=lambda d: _day(d) or dt.date.max) if dates else None
    day = _day(date)
    if (since and (day is None or day < since)) or (until and (day is None or day > until)):
        return None
    announced_values = [r["announced_count"] for r in releases if r["announced_count"] is not None]
    sources = _unique(
        [s for s in view["sources"]]
        + [c["source"] for r in releases for c in r["claims"]]
        + [s for a in actions for s in a["sources"]]
    )
    return DealRow(
        key=view["key"], title=view["title"], counterpart=view["counterpart"],
        date=date,
        releasing_states=_unique(r["releasing_state"] for r in releases),
        releases=[
            {"key": r["key"], "date": r["date"], "kind": r["kind"], "announced": r["announced_count"],
             "named": r["named_count"], "destination": r["destination"]}
            for r in releases
        ],
        mediators=_unique(m["name"] for r in releases for m in r["mediators"]),
        announced=sum(announced_values) if announced_values else None,
        named=sum(r["named_count"] for r in releases),
        notable=_unique(p["name"] for r in releases for p in r["released"]),
        concessions=[
            {"key": a["key"], "authority": a["authority"], "program": a["program"], "action": a["action"],
             "target": a["target_name"] or a["target"], "date": a["date"]}
            for a in actions
        ],
        meetings=[{"date": m["date"], "place": m["place"], "description": m["description"]} for m in meetings],
        sources=[{k: s.get(k) for k in ("key", "outlet", "title", "url", "published")} for s in sources],
    )


@dataclass
class CounterpartTotal:
    counterpart: str
    deals: int = 0
    releases: int = 0
    announced: int = 0
    named: int = 0
    concessions: int = 0
    relief: int = 0
    by_action: dict[str, int] = field(default_factory=dict)
    authorities: list[str] = field(default_factory=list)
    first: str | None = None
    last: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "counterpart": self.counterpart, "deals": self.deals, "releases": self.releases,
            "announced": self.announced, "named": self.named, "concessions": self.concessions,
            "relief": self.relief, "by_action": self.by_action, "authorities": self.authorities,
            "first": self.first, "last": self.last,
        }


def counterpart_totals(rows: Sequence[DealRow]) -> list[CounterpartTotal]:
    """Per counterpart: how many deals, how many freed, what was given (largest first)."""
    out: dict[str, CounterpartTotal] = {}
    for row in rows:
        total = out.setdefault(row.counterpart or "?", CounterpartTotal(row.counterpart or "?"))
        total.deals += 1
        total.releases += len(row.releases)
        total.announced += row.announced or 0
        total.named += row.named
        total.concessions += len(row.concessions)
        total.relief += len(row.relief)
        for c in row.concessions:
            total.by_action[c["action"]] = total.by_action.get(c["action"], 0) + 1
            if c["authority"] not in total.authorities:
                total.authorities.append(c["authority"])
        if row.date:
            if total.first is None or (_day(row.date) or dt.date.max) < (_day(total.first) or dt.date.max):
                total.first = row.date
            if total.last is None or (_day(row.date) or dt.date.min) > (_day(total.last) or dt.date.min):
                total.last = row.date
    return sorted(out.values(), key=lambda t: (-t.announced, t.counterpart))
