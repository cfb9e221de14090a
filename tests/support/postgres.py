"""A throwaway PostgreSQL server for the test run: initdb into a temporary folder, a free port.

initdb refuses to run as root, so as root the server runs as the `postgres` system user (which
Debian's postgresql package creates). fsync is off: this data lives for one test run only.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg


class PostgresUnavailable(RuntimeError):
    pass


def _bin_dir() -> Path:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not candidates:
        raise PostgresUnavailable("PostgreSQL's initdb was not found (install Debian's postgresql)")
    return Path(candidates[0]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as missing:
        raise PostgresUnavailable("running as root but there is no 'postgres' user") from missing
    return "postgres"


@contextlib.contextmanager
def throwaway_postgres(extra_options: str = "") -> Iterator[str]:
    """Start a server, yield the base URL (without a database name), stop and delete it.

    `extra_options` are more `-c name=value` server settings (the benchmarks size the caches).
    """
    bin_dir = _bin_dir()
    user = _run_as()
    root = Path(tempfile.mkdtemp(prefix="affectrange-pg-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (root, sockets):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    initdb = [
        str(bin_dir / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "--auth=trust",
        "--no-sync",
        "-E",
        "UTF8",
        "--locale=C",
    ]
    options = (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60 " + extra_options
    )
    pg_ctl = str(bin_dir / "pg_ctl")
    try:
        subprocess.run(initdb, check=True, capture_output=True, user=user)
        subprocess.run(
            [pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"],
            check=True,
            capture_output=True,
            user=user,
        )
    except subprocess.CalledProcessError as failure:
        detail = (failure.stderr or b"").decode(errors="replace")[-800:]
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"could not start PostgreSQL: {detail}") from failure
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            user=user,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def create_database(base_url: str, name: str) -> str:
    """Create an empty database on the server and return its SQLAlchemy URL."""
    host_part = base_url.removeprefix("postgresql+psycopg://")
    with psycopg.connect(f"postgresql://{host_part}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{base_url}/{name}"
