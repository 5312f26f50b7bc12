"""`freedomledger serve --workers N`: real processes on a real port, each with its own socket."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from freedomledger.ledger import Ledger
from freedomledger.web import workers

if not workers.can_balance() or not Path("/proc/self/fd").exists():
    pytest.skip("needs SO_REUSEPORT and /proc (Linux)", allow_module_level=True)

CONNECTIONS = 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> set[int]:
    """The server processes started by `pid` (not multiprocessing's resource tracker)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in command:
            found.add(int(stat.parent.name))
    return found


def accepted(pid: int, client_ports: set[int]) -> int:
    """How many of the connections from these client ports process `pid` holds (/proc/net/tcp)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[9] in inodes and int(fields[2].rsplit(":", 1)[1], 16) in client_ports:
            count += 1
    return count


def read_response(sock: socket.socket) -> bytes:
    """One whole HTTP response (headers and Content-Length body) from a keep-alive socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise AssertionError(f"the server closed the connection mid-response: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(4096)
    return head + b"\r\n\r\n" + body


def wait_for(check, what: str, timeout: float = 60.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    path = tmp_path / "workers.db"
    Ledger.open(str(path)).close()
    port = free_port()
    env = os.environ | {"FREEDOMLEDGER_DB": str(path), "FREEDOMLEDGER_BUILD_INDEX": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "freedomledger", "serve", "--workers", "2", "--port", str(port),
         "--no-access-log", "--insecure-cookies"], env=env,
    )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(base + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(lambda: len(children(server.pid)) == 2 and healthy(), "two server processes")
        yield server, base
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(40)


def test_keep_alive_connections_settle_evenly_over_the_processes(served) -> None:
    server, base = served
    port = int(base.rsplit(":", 1)[1])
    pids = sorted(children(server.pid))

    def connect() -> socket.socket:
        return socket.create_connection(("127.0.0.1", port), timeout=60)

    # Keep-alive clients, as a load generator or a proxy holds them: the kernel hashes them
    # over the processes' sockets unevenly; a process holding more than half asks a client
    # to reconnect now and then, until the split is even.
    clients = [connect() for _ in range(CONNECTIONS)]
    closed = 0
    try:
        deadline = time.monotonic() + 60
        while True:
            for n, c in enumerate(clients):
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
                response = read_response(c)
                assert response.startswith(b"HTTP/1.1 200"), response[:100]
                if b"connection: close" in response.lower():
                    c.close()
                    clients[n] = connect()
                    closed += 1
            ports = {c.getsockname()[1] for c in clients}
            taken = {pid: accepted(pid, ports) for pid in pids}
            if sorted(taken.values()) == [CONNECTIONS // 2] * 2 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        for c in clients:
            c.close()
    assert sorted(taken.values()) == [CONNECTIONS // 2] * 2, (taken, closed)
    # Fresh connections were spread by the kernel already: a few reconnections settle them,
    # not one per request (which a process closing connections without measure would cost).
    assert closed < CONNECTIONS, closed


def listening(port: int) -> int:
    """How many sockets listen on this port (state 0A in /proc/net/tcp)."""
    rows = (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
    return sum(1 for f in rows if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port)


def test_all_sockets_listen_before_any_process_is_ready(tmp_path: Path) -> None:
    # A process that listened only once ready would leave the kernel one socket to hand every
    # early connection to, and keep-alive clients would stay there (CI saw 40 of 40).
    path = tmp_path / "early.db"
    Ledger.open(str(path)).close()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "freedomledger", "serve", "--workers", "2", "--port", str(port),
         "--no-access-log", "--insecure-cookies"],
        env=os.environ | {"FREEDOMLEDGER_DB": str(path), "FREEDOMLEDGER_BUILD_INDEX": "0"},
    )
    try:
        deadline = time.monotonic() + 60
        while not (first_seen := listening(port)) and time.monotonic() < deadline:
            time.sleep(0.001)  # the processes start some milliseconds apart; look closely
        assert first_seen == 2
    finally:
        server.terminate()
        server.wait(40)


def test_a_killed_process_is_replaced_and_sigterm_stops_all(served) -> None:
    server, base = served
    first, second = sorted(children(server.pid))
    os.kill(first, signal.SIGKILL)
    now = wait_for(lambda: (found := children(server.pid)) - {first} and len(found) == 2 and found,
                   "a replacement process")
    assert second in now and first not in now
    for _ in range(20):  # every connection lands on a live process, the new one included
        assert httpx.get(base + "/healthz", timeout=5).status_code == 200
    server.send_signal(signal.SIGTERM)
    assert server.wait(40) == 0
    assert not [pid for pid in now if Path(f"/proc/{pid}").exists()]


def test_server_processes_end_with_a_killed_supervisor(served) -> None:
    server, _ = served
    pids = children(server.pid)
    server.kill()
    server.wait(10)
    wait_for(lambda: not [pid for pid in pids if Path(f"/proc/{pid}").exists()], "the server processes to end", 40)


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "port.db"
    Ledger.open(str(path)).close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "freedomledger", "serve", "--workers", "2", "--port", str(port)],
            env=os.environ | {"FREEDOMLEDGER_DB": str(path)}, capture_output=True, text=True, timeout=60,
        )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr


def test_a_bad_thread_count_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "threads.db"
    Ledger.open(str(path)).close()
    done = subprocess.run(
        [sys.executable, "-m", "freedomledger", "serve", "--port", str(free_port())],
        env=os.environ | {"FREEDOMLEDGER_DB": str(path), "FREEDOMLEDGER_THREADS": "many"},
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "$FREEDOMLEDGER_THREADS must be a whole number from 1 up, not 'many'" in done.stderr
    assert "Traceback" not in done.stderr


def test_processes_that_cannot_start_stop_the_server(tmp_path: Path) -> None:
    # Each process builds its app from the environment; here there is no ledger to open, so
    # every process exits with an error instead of being started again and again.
    code = ("import sys; from freedomledger.web import workers; "
            f"sys.exit(workers.serve_workers('127.0.0.1', {free_port()}, 2, {{'log_level': 'critical'}}))")
    done = subprocess.run([sys.executable, "-c", code], env=os.environ | {"FREEDOMLEDGER_DB": str(tmp_path / "x.db")},
                          capture_output=True, text=True, timeout=workers.EARLY_EXIT_S + 30)
    assert done.returncode == 1
    assert "while starting; stopping" in done.stderr


def test_a_process_sheds_only_above_an_even_share_and_one_at_a_time() -> None:
    from types import SimpleNamespace

    table = [28, 22]  # as both processes last reported

    def share(open_connections: int, slot: int) -> workers._Share:
        server = SimpleNamespace(server_state=SimpleNamespace(connections=set(range(open_connections))))
        return workers._Share(table, slot, server)

    other, mine = share(22, 1), share(28, 0)
    assert not other.shed() and table == [28, 22]
    assert mine.shed()  # 28 of 50 is above 25
    assert not mine.shed()  # the next only after SHED_EVERY_S
    mine.next_shed = 0.0
    mine.server.server_state.connections = set(range(23))
    assert not mine.shed()  # 23 of 45: within one of even
    assert not workers._Share(table, 0, SimpleNamespace()).shed()  # a uvicorn without server_state
