"""The batching writer: answers come after the commit; a failing unit fails alone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.db import Database
from affectrange.errors import InvalidInput
from affectrange.state import AppState, write_state
from affectrange.writer import BatchingWriter
from tests.conftest import NOW


@pytest.fixture
def writer(committing_database: Database) -> Iterator[BatchingWriter]:
    writer = BatchingWriter(committing_database)
    yield writer
    writer.close()


def saved_keys(database: Database) -> set[str]:
    with database.session_factory() as session:
        return set(session.scalars(select(AppState.key)))


def remember(key: str) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        write_state(session, key, "value", now=NOW)
        return key

    return work


def test_an_answer_means_the_write_is_committed(
    committing_database: Database, writer: BatchingWriter
) -> None:
    assert writer.submit(remember("first")).result(timeout=10) == "first"

    # A fresh connection sees it: the answer came after the commit, not before.
    assert saved_keys(committing_database) == {"first"}


def test_a_failing_unit_is_rolled_back_alone_and_its_error_reaches_only_its_caller(
    committing_database: Database, writer: BatchingWriter
) -> None:
    release = threading.Event()

    def hold(session: Session) -> None:
        release.wait(timeout=10)

    def fail(session: Session) -> None:
        write_state(session, "half-done", "value", now=NOW)
        raise InvalidInput({"date": "This day has not happened yet."})

    # The first unit holds the writer, so the next three queue up and run as one batch.
    blocker = writer.submit(hold)
    before = writer.submit(remember("before"))
    failing = writer.submit(fail)
    after = writer.submit(remember("after"))
    release.set()

    blocker.result(timeout=10)
    assert before.result(timeout=10) == "before"
    assert after.result(timeout=10) == "after"
    with pytest.raises(InvalidInput) as raised:
        failing.result(timeout=10)
    assert raised.value.fields == {"date": "This day has not happened yet."}
    assert saved_keys(committing_database) == {"before", "after"}


def test_closing_finishes_what_is_queued(committing_database: Database) -> None:
    writer = BatchingWriter(committing_database)
    futures = [writer.submit(remember(f"key-{n}")) for n in range(50)]
    writer.close()

    assert all(future.done() for future in futures)
    assert saved_keys(committing_database) == {f"key-{n}" for n in range(50)}


def test_many_threads_writing_at_once_lose_nothing(
    committing_database: Database, writer: BatchingWriter
) -> None:
    keys = [f"thread-{n}" for n in range(200)]
    results: list[str] = []

    def submit(key: str) -> None:
        results.append(writer.submit(remember(key)).result(timeout=30))

    threads = [threading.Thread(target=submit, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == sorted(keys)
    with committing_database.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(AppState)) == len(keys)


def test_a_caller_that_gives_up_does_not_stop_the_writer(
    committing_database: Database, writer: BatchingWriter
) -> None:
    release = threading.Event()

    def hold(session: Session) -> None:
        release.wait(timeout=10)

    blocker = writer.submit(hold)
    abandoned = writer.submit(remember("abandoned"))
    assert abandoned.cancel()  # still queued: the caller gives up (e.g. a timeout)
    release.set()
    blocker.result(timeout=10)

    assert writer.submit(remember("later")).result(timeout=10) == "later"
    assert saved_keys(committing_database) == {"later"}


def test_a_unit_raising_a_base_exception_does_not_stop_the_writer(
    committing_database: Database, writer: BatchingWriter
) -> None:
    class Interrupted(BaseException):
        pass

    def interrupt(session: Session) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        writer.submit(interrupt).result(timeout=10)

    assert writer.submit(remember("after")).result(timeout=10) == "after"
    assert saved_keys(committing_database) == {"after"}


def test_a_closed_writer_starts_again_when_given_work(committing_database: Database) -> None:
    writer = BatchingWriter(committing_database)
    assert writer.submit(remember("before close")).result(timeout=10) == "before close"
    writer.close()

    assert writer.submit(remember("after close")).result(timeout=10) == "after close"
    writer.close()
    assert saved_keys(committing_database) == {"before close", "after close"}
