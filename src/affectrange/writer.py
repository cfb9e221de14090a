"""One writer thread that runs units of work in batches and commits each batch once.

Why: with SQLite, concurrent request threads that each open a write transaction queue on the
database lock, and SQLite's busy handler makes waiters sleep and retry rather than wake when the
lock is free (tails of seconds under load). Here writes queue in memory instead; the thread takes
every unit waiting, runs them in one transaction, commits once (one fsync for the batch), and only
then answers each caller. An answer therefore still means "durably saved", the same contract as
`db.get_session`.

Units rarely fail, so a batch runs without savepoints (they cost a quarter of the writer's time).
When a unit raises, the whole batch is rolled back and each of its units runs again alone, in its
own transaction: the failing unit fails by itself and the others are saved.

A unit of work is a function of a Session; like a service it may flush but never commits, it has
no effect outside the database (it may run twice when a batch is retried), and it returns plain
data (not ORM objects, which the commit expires).

Several server processes (`serve --workers N`) each have a writer; on SQLite they take turns through
a blocking file lock beside the database, which wakes the next writer the moment it is released
(SQLite's own busy handler would poll with sleeps of up to 100 ms).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final, TypeVar

from sqlalchemy.orm import Session

from affectrange.db import Database, begin_for_write
from affectrange.errors import AffectRangeError

T = TypeVar("T")
MAX_BATCH: Final = 64

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _Job:
    work: Callable[[Session], Any]
    future: Future[Any] = field(default_factory=Future)


class BatchingWriter:
    def __init__(self, database: Database, *, max_batch: int = MAX_BATCH) -> None:
        self._database = database
        self._turns = _ProcessTurns.for_database(database)
        self._max_batch = max_batch
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run `work` in the next batch; returns once that batch has committed."""
        result: T = await asyncio.wrap_future(self.submit(work))
        return result

    def submit(self, work: Callable[[Session], T]) -> Future[T]:
        self._ensure_started()
        job = _Job(work)
        self._jobs.put(job)
        return job.future

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        with self._start_lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._jobs.put(None)
            thread.join()
        self._turns.close()

    def _ensure_started(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="affectrange-writer", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            # A caller that gave up (cancelled) before its unit started is dropped, not run;
            # once running, a unit can no longer be cancelled, so its answer always lands.
            runnable = [job for job in batch if job.future.set_running_or_notify_cancel()]
            if runnable:
                self._run_batch_safely(runnable)
            if stop:
                return

    def _run_batch_safely(self, batch: list[_Job]) -> None:
        """The thread must outlive any failure, or every later write would wait forever."""
        try:
            self._run_batch(batch)
        except BaseException as failure:
            logger.exception("write batch of %d failed", len(batch))
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(failure)

    def _run_batch(self, batch: list[_Job]) -> None:
        if len(batch) == 1:
            self._run_alone(batch[0])
            return
        try:
            with self._turns, self._database.session_factory() as session:
                begin_for_write(session)
                results = [job.work(session) for job in batch]
                session.commit()
        except BaseException:
            for job in batch:
                self._run_alone(job)
            return
        for job, result in zip(batch, results, strict=True):
            job.future.set_result(result)

    def _run_alone(self, job: _Job) -> None:
        try:
            with self._turns, self._database.session_factory() as session:
                begin_for_write(session)
                result = job.work(session)
                session.commit()
        except BaseException as error:  # delivered to this unit's caller only
            if not isinstance(error, AffectRangeError):
                logger.exception("a write failed")
            job.future.set_exception(error)
            return
        job.future.set_result(result)


class _ProcessTurns:
    """An exclusive lock on `<database file>.write-lock`, held while a batch writes.

    Only for an SQLite file; on PostgreSQL (row locks, no file lock) it does nothing.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._file: BinaryIO | None = None

    @classmethod
    def for_database(cls, database: Database) -> _ProcessTurns:
        name = database.engine.url.database
        if not database.is_sqlite or not name or name == ":memory:":
            return cls(None)
        return cls(Path(f"{name}.write-lock"))

    def __enter__(self) -> None:
        if self._path is None:
            return
        if self._file is None:
            self._file = self._path.open("a+b")
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)

    def __exit__(self, *exc_info: object) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
