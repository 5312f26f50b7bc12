"""Several server processes on one port, each with a listening socket of its own.

uvicorn's `--workers` gives all its processes one shared socket. New connections then go to
whichever process wakes first, which takes a whole burst of them: with keep-alive clients
one process was measured holding 40 connections and the other 10, and the busy one's
clients waited four times as long (docs/benchmarks.md, web section). With SO_REUSEPORT each
process listens on its own socket and the kernel spreads connections over them, at random:
50 keep-alive connections were split 29/21 or 28/22, which the busier process's clients
pay for as long as they stay connected. So a process holding more than an even share asks
a client, now and then, to reconnect (`Connection: close`), until the split is even.

The supervisor here is deliberately small: it starts the processes, starts a new one in
place of one that dies (on the same socket, so connections waiting there are kept), and
stops them all on SIGINT or SIGTERM. Where SO_REUSEPORT is missing, uvicorn's own
supervisor with its shared socket is used instead.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from typing import Any

log = logging.getLogger("freedomledger.web")

APP = "freedomledger.web.workers:balanced_app"  # each process builds its app from the environment
SHED_EVERY_S = 0.2  # see _Share.shed
EARLY_EXIT_S = 30.0  # a process that fails this soon after starting will not do better next time


def can_balance() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    # Listening here, before any process starts, puts every socket in the kernel's group at
    # once: connections the kernel hashes to a process still starting wait in its queue.
    # Were each process to listen when ready, the first one up would be handed a burst of
    # keep-alive connections for good (CI caught 40 of 40).
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _die_with_parent() -> None:
    """Linux: let the kernel end this process when the supervisor ends, even by SIGKILL, so
    that no server process (each holding its name index, gigabytes on a large ledger) is left
    behind."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class _Share:
    """This process's count of open connections in a table of all the processes' counts."""

    def __init__(self, table: Any, slot: int, server: Any):
        self.table, self.slot, self.server = table, slot, server
        self.next_shed = 0.0

    def shed(self) -> bool:
        """Whether to close this connection after its response: when this process holds more
        than an even share of the open connections. At most one every SHED_EVERY_S, so that
        a closed connection is gone from the counts (and its client connected again) before
        the next is chosen: closing several at once overshoots, and the processes then take
        turns at shedding."""
        # uvicorn's own set of open connections; without it (another uvicorn), never shed.
        connections = getattr(getattr(self.server, "server_state", None), "connections", None)
        if connections is None:
            return False
        mine = len(connections)
        self.table[self.slot] = mine
        now = time.monotonic()
        if now < self.next_shed or mine <= -(-sum(self.table) // len(self.table)):
            return False
        self.next_shed = now + SHED_EVERY_S
        return True


_share: _Share | None = None  # set in each server process before its app is built


def balanced_app() -> Any:
    """The app (from the environment), asking clients of an overloaded process to reconnect:
    the response says `Connection: close`, and the client's new connection is hashed over the
    sockets again. The split settles within one connection of even (tested)."""
    from freedomledger.web.app import app_from_env

    app = app_from_env()

    async def balanced(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or _share is None or not _share.shed():
            await app(scope, receive, send)
            return

        async def closing(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        await app(scope, receive, closing)

    return balanced


def _run_one(options: dict[str, Any], sock: socket.socket, table: Any, slot: int) -> None:
    import uvicorn

    global _share
    _die_with_parent()
    server = uvicorn.Server(uvicorn.Config(APP, factory=True, **options))
    _share = _Share(table, slot, server)
    server.run(sockets=[sock])


def serve_workers(host: str, port: int, workers: int, options: dict[str, Any]) -> int:
    """Run `workers` processes until SIGINT/SIGTERM; the exit status (1 when one could not start)."""
    sockets = [listening_socket(host, port, options.get("backlog", 2048)) for _ in range(workers)]
    spawn = multiprocessing.get_context("spawn")
    stopping = threading.Event()
    table = spawn.Array("i", workers, lock=False)  # open connections per process

    def start(slot: int) -> tuple[Any, float]:
        table[slot] = 0
        process = spawn.Process(target=_run_one, args=(options, sockets[slot], table, slot),
                                name="freedomledger-web")
        process.start()
        return process, time.monotonic()

    previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    running = [start(slot) for slot in range(workers)]
    status = 0
    try:
        while not stopping.wait(0.5):
            for slot, (process, started) in enumerate(running):
                if process.is_alive():
                    continue
                # A positive status is the process's own verdict (the app could not be built, the
                # ledger is missing); a signal is something done to it, worth a new process.
                if (process.exitcode or 0) > 0 and time.monotonic() - started < EARLY_EXIT_S:
                    log.error("server process %s exited with status %s while starting; stopping",
                              process.pid, process.exitcode)
                    status = 1
                    stopping.set()
                    break
                log.warning("server process %s exited with status %s; starting another", process.pid,
                            process.exitcode)
                running[slot] = start(slot)
    finally:
        for process, _ in running:
            process.terminate()  # uvicorn finishes the requests in flight, then exits
        for process, _ in running:
            process.join(30)
            if process.is_alive():
                process.kill()
        for sock in sockets:
            sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
