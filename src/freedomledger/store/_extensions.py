"""Tables that live in their own modules but share the one `metadata`.

Importing them here means `tables.metadata` is always complete, for migrations and tests.
"""

from freedomledger.store import auth_tables, sanctions_tables, stats_queries  # noqa: F401
