"""Request dependencies shared by every feature: the database session, settings, the clock."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.requests import Request

from affectrange.clock import Clock
from affectrange.config import Settings
from affectrange.db import get_session


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# async: these only read app state, and a sync dependency would cost a trip to the thread pool.
async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


# scope="function": the commit runs when the endpoint returns, before the response is sent.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
