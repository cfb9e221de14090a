"""Who a repository works for, and the light account record behind an API request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from affectrange.accounts.models import Role


class Owner(Protocol):
    """Whoever a repository is built for: only the account's id is needed to scope queries."""

    @property
    def id(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Principal:
    """The account behind an API request, read with one Core query instead of an ORM load.

    API calls are the busiest path; loading ORM objects for them cost more than the write itself.
    """

    id: int
    role: Role
    timezone: str
