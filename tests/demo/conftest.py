"""Fixtures for the demo gateway tests: the suite's `demo_gateway` and an httpx client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from chatterm.demo import DemoGateway
from tests.demo.demo_support import AUTH, SpecWatch, watch_demo


@pytest.fixture(autouse=True)
def spec_watch(monkeypatch: pytest.MonkeyPatch) -> Iterator[SpecWatch]:
    """Every chunk, event and body the demo sends in any test here fits the OpenAI spec.
    (Requests are not checked: these tests send odd bodies on purpose.)"""
    watch = watch_demo(monkeypatch, requests=False)
    yield watch
    assert watch.problems == []


@pytest.fixture
def gateway(demo_gateway: DemoGateway) -> DemoGateway:
    """The suite-wide demo gateway (tests/conftest.py), typed."""
    return demo_gateway


@pytest.fixture
async def client(gateway: DemoGateway) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway.base_url + "/", headers=AUTH, timeout=10) as c:
        yield c
