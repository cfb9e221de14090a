"""One browser per persona: each signed in through the real form, all on the test's app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import sign_in

ClientFor = Callable[[str], TestClient]


@pytest.fixture
def client_for(app: FastAPI) -> Iterator[ClientFor]:
    """`client_for(email)`: a separate cookie jar signed in as that account."""
    with ExitStack() as stack:

        def signed_in(email: str) -> TestClient:
            client = stack.enter_context(TestClient(app, base_url="http://testserver"))
            sign_in(client, email)
            return client

        yield signed_in
