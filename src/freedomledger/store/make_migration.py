"""Write a new Alembic revision by comparing the tables with a database at head.

    python -m freedomledger.store.make_migration "message" [--tables a,b]

`--tables` limits the revision to the named tables, so that work in progress elsewhere in
`metadata` does not slip into it. Run it under `flock /tmp/fl-migrations.lock` when several
people generate revisions at once, so the chain stays linear.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from alembic import command

from freedomledger.store.db import alembic_config, make_engine, migrate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("message")
    parser.add_argument("--tables", help="comma-separated table names to include")
    args = parser.parse_args()
    wanted = set(args.tables.split(",")) if args.tables else None

    def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
        if wanted is None:
            return True
        table = obj if type_ == "table" else getattr(obj, "table", None)
        table_name = name if type_ == "table" else getattr(table, "name", None)
        return table_name in wanted

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(str(Path(tmp) / "head.db"))
        migrate(engine)
        config = alembic_config(engine)
        config.attributes["include_object"] = include_object
        versions = Path(__file__).with_name("migrations") / "versions"
        number = len(list(versions.glob("[0-9][0-9][0-9][0-9]_*.py"))) + 1
        slug = re.sub(r"[^a-z0-9]+", "_", args.message.lower()).strip("_")[:40]
        script = command.revision(
            config, message=args.message, autogenerate=True, rev_id=f"{number:04d}",
        )
        generated = Path(script.path)  # type: ignore[union-attr]
        target = generated.with_name(f"{number:04d}_{slug}.py")
        # Alembic renders JSONB's text type unqualified; the revision imports only `sa`.
        text = generated.read_text().replace("astext_type=Text()", "astext_type=sa.Text()")
        if generated != target:
            generated.unlink()
        target.write_text(text)
        print(target)


if __name__ == "__main__":
    main()
