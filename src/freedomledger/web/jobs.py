"""Registry imports that run in a thread while the page polls their progress."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from freedomledger.ledger import Ledger, LedgerError
from freedomledger.ledger.loading import import_registry
from freedomledger.sources.registry import RegistryError, RegistryRecord, read_registry


@dataclass
class Job:
    id: str
    file_name: str
    actor: str
    state: str = "reading"  # reading -> importing -> done | failed
    total: int = 0
    done: int = 0
    message: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"percent": self.percent}


class ImportJobs:
    def __init__(self, keep: int = 50):
        self.keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(self, ledger: Ledger, path: Path, file_name: str, actor: str,
              snapshot: dt.date | None = None) -> Job:
        job = Job(secrets.token_urlsafe(12), file_name, actor)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep:
                self._jobs.popitem(last=False)
        threading.Thread(target=self._run, args=(job, ledger, path, snapshot), daemon=True,
                         name=f"import-{job.id}").start()
        return job

    def _run(self, job: Job, ledger: Ledger, path: Path, snapshot: dt.date | None) -> None:
        try:
            records = list(read_registry(path, snapshot=snapshot))
            job.total, job.state = len(records), "importing"

            def counted() -> Iterator[RegistryRecord]:
                for number, record in enumerate(records, 1):
                    yield record
                    job.done = number

            raw = path.read_bytes().decode("utf-8", errors="replace")
            with ledger.transaction(job.actor) as tx:
                file_source, _ = tx.source(kind="registry", title=f"registry file {job.file_name}", text=raw,
                                           file_name=job.file_name, published=snapshot)
                job.counts = dict(import_registry(tx, counted(), file_source_id=file_source))
            job.state = "done"
            job.message = (f"{job.counts.get('persons', 0)} persons, {job.counts.get('status_changes', 0)} status "
                           f"changes, {job.counts.get('changed', 0)} new or changed")
        except (RegistryError, LedgerError, ValueError) as exc:
            job.state, job.message = "failed", f"nothing was imported: {exc}"
        except Exception as exc:  # a thread must report, not vanish
            job.state, job.message = "failed", f"nothing was imported: internal error ({type(exc).__name__})"
        finally:
            path.unlink(missing_ok=True)
