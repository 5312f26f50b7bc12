"""What every statistic can be narrowed by. Pure data; the SQL layer applies it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from freedomledger.stats.periods import Period

# The series start reporters ask about ("since 2020"): the 2020 election and the crackdown
# that followed it. Earlier dates stay reachable with `since`.
DEFAULT_SINCE = dt.date(2020, 1, 1)


@dataclass(frozen=True)
class StatsFilter:
    """Narrowing shared by all statistics.

    as_of        the day the answer is given for (default: today); nothing after it counts.
    since/until  the reporting window; `until` defaults to `as_of`.
    period       the granularity of series.
    country      releasing state (ISO code) of release events and deals.
    authority    sanctions authority (US, EU, UK ...) of the concessions shown.
    counterpart  the state a deal was made with.
    citizenship  persons holding this citizenship (ISO code), for person-based counts.
    public       only published, unretracted records (anonymous users, published reports).
    """

    as_of: dt.date | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    period: Period = Period.month
    country: str | None = None
    authority: str | None = None
    counterpart: str | None = None
    citizenship: str | None = None
    public: bool = False

    def __post_init__(self) -> None:
        for name in ("country", "authority", "counterpart", "citizenship"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, value.strip().upper() or None)
        if self.since and self.last_day < self.since:
            raise ValueError(
                f"the window is empty: since {self.since} is after {self.last_day} "
                "(check --since, --until and --as-of)"
            )

    @property
    def today(self) -> dt.date:
        return self.as_of or dt.date.today()

    @property
    def last_day(self) -> dt.date:
        """The last day counted: `until`, but never after `as_of`."""
        return min(self.until, self.today) if self.until else self.today

    @property
    def first_day(self) -> dt.date:
        return self.since or DEFAULT_SINCE

    def with_(self, **changes: object) -> StatsFilter:
        return replace(self, **changes)  # type: ignore[arg-type]
