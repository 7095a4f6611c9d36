"""Fixtures for the demo gateway tests: the suite's `demo_gateway` and an httpx client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from chatterm.demo import DemoGateway
from tests.demo.demo_support import AUTH


@pytest.fixture
def gateway(demo_gateway: DemoGateway) -> DemoGateway:
    """The suite-wide demo gateway (tests/conftest.py), typed."""
    return demo_gateway


@pytest.fixture
async def client(gateway: DemoGateway) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway.base_url + "/", headers=AUTH, timeout=10) as c:
        yield c
