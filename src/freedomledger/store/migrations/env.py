"""Alembic environment: runs migrations on the engine the caller hands over."""

from alembic import context
from sqlalchemy import create_engine

from freedomledger.store.tables import metadata

config = context.config


def run() -> None:
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table (copy, DROP, rename); with foreign keys on, the DROP
            # fails as soon as other rows point at it. The pragma only works outside a
            # transaction, so it goes straight to the driver; integrity is checked after.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=metadata,
            # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
            render_as_batch=True,
            compare_type=True,
            include_object=config.attributes.get("include_object"),
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} broken foreign keys: {broken[:5]}")
        connection.commit()
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


run()
