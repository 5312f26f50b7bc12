"""Several server processes on one port, each with a listening socket of its own.

uvicorn's `--workers` gives all its processes one shared socket. New connections then go to
whichever process wakes first, which takes a whole burst of them: with keep-alive clients
one process was measured holding 40 connections and the other 10, and the busy one's
clients waited four times as long (docs/benchmarks.md, web section). With SO_REUSEPORT each
process listens on its own socket and the kernel spreads connections over them.

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

APP = "freedomledger.web.app:app_from_env"  # each process builds its app from the environment
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


def _run_one(options: dict[str, Any], sock: socket.socket) -> None:
    import uvicorn

    _die_with_parent()
    uvicorn.Server(uvicorn.Config(APP, factory=True, **options)).run(sockets=[sock])


def serve_workers(host: str, port: int, workers: int, options: dict[str, Any]) -> int:
    """Run `workers` processes until SIGINT/SIGTERM; the exit status (1 when one could not start)."""
    sockets = [listening_socket(host, port, options.get("backlog", 2048)) for _ in range(workers)]
    spawn = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start(sock: socket.socket) -> tuple[Any, float]:
        process = spawn.Process(target=_run_one, args=(options, sock), name="freedomledger-web")
        process.start()
        return process, time.monotonic()

    previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    running = [start(sock) for sock in sockets]
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
                running[slot] = start(sockets[slot])
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
