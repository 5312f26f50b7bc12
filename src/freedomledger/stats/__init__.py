"""Statistics over the ledger: pure functions from aggregated rows to answers.

Nothing here touches a database, the web or the CLI. The SQL that feeds these functions is
in store/stats_queries.py; charts are drawn by charts.py and the HTML report by report.py.

- custody: held on a day (point estimate, certainly held, possibly held), spells, series;
- flows: into and out of custody per period (the "revolving door");
- served: time served before release (median, distribution);
- releases: the largest release since when, the share sent into exile;
- deals: the deal ledger and totals per counterpart;
- periods, filters: the calendar and the narrowing every statistic accepts.
"""

from freedomledger.stats.custody import (
    Event,
    HeldPoint,
    HeldState,
    Spell,
    Transition,
    held_counts,
    held_on,
    held_series,
    spells,
    transitions,
)
from freedomledger.stats.deals import CounterpartTotal, DealRow, counterpart_totals, deal_row
from freedomledger.stats.filters import DEFAULT_SINCE, StatsFilter
from freedomledger.stats.flows import RELEASE_KINDS, FlowRow, flow_series, totals
from freedomledger.stats.periods import Period, Span, span_of, spans
from freedomledger.stats.releases import (
    ExileShare,
    LargestSince,
    ReleaseRow,
    exile_share,
    largest_releases,
    largest_since,
)
from freedomledger.stats.served import ServedSummary, quantile, summarise_served

__all__ = [
    "DEFAULT_SINCE", "RELEASE_KINDS", "CounterpartTotal", "DealRow", "Event", "ExileShare", "FlowRow",
    "HeldPoint", "HeldState", "LargestSince", "Period", "ReleaseRow", "ServedSummary", "Span", "Spell",
    "StatsFilter", "Transition", "counterpart_totals", "deal_row", "exile_share", "flow_series",
    "held_counts", "held_on", "held_series", "largest_releases", "largest_since", "quantile",
    "span_of", "spans", "spells", "summarise_served", "totals", "transitions",
]
