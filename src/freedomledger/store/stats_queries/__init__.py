"""The SQL behind the statistics (freedomledger.stats holds the pure part).

    from freedomledger.store import stats_queries as sq
    with ledger.read() as conn:
        sq.held_over_time(conn, StatsFilter(period=Period.year))
    sq.refresh(ledger)          # fold recent changes into the summary tables (fast queries)

summary.py: the per-person summary tables, the window-function SQL that fills them, and
refresh; reads.py: held, flows, time served, releases, sanctions; deals.py: the deal
ledger; views.py: per-person answers and the sanctions-relief summary.
"""

from freedomledger.store.stats_queries.reads import (
    SERVED_KINDS,
    compare_release,
    exile,
    flow_moves,
    flows,
    held_deltas,
    held_on_day,
    held_over_time,
    largest,
    release_rows,
    sanction_timeline,
    served_rows,
    time_served,
)
from freedomledger.store.stats_queries.summary import (
    SUMMARY_VERSION,
    pending,
    refresh,
    stats_held_marks,
    stats_state,
    stats_transitions,
    watermark,
)
from freedomledger.store.stats_queries.deals import deal_ledger, deal_totals
from freedomledger.store.stats_queries.views import find_person, person_stats, relief_by_authority

__all__ = [
    "SERVED_KINDS", "SUMMARY_VERSION", "compare_release", "deal_ledger", "deal_totals", "exile",
    "find_person", "flow_moves", "flows", "held_deltas", "held_on_day", "held_over_time", "largest",
    "pending", "person_stats", "refresh", "relief_by_authority", "release_rows", "sanction_timeline",
    "served_rows", "stats_held_marks", "stats_state", "stats_transitions", "time_served", "watermark",
]
