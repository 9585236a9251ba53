"""The moto server the albctl tests share: started once for them (in this process, with
tests/albctl/moto_extensions.py), reset before each test, stopped after the last one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from tests.albctl.moto_extensions import HealthChecks, install_percentiles
from tests.albctl.moto_stack import DUMMY_CREDENTIALS, Cloud, MotoServer, Stack


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        health = HealthChecks()
        health.install(monkeypatch)
        install_percentiles(monkeypatch)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield MotoServer(f"http://{host}:{port}", health)
        finally:
            server.stop()


@pytest.fixture
def cloud(moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cloud:
    moto_server.reset()
    # boto3 in this process (building the stack) talks to the same server.
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.url)
    for name, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return Cloud(moto_server, tmp_path)


@pytest.fixture
def stack(cloud: Cloud) -> Stack:
    """A stack with one service, ``api``, and no targets yet."""
    return Stack(cloud, {"api": {"port": 8080, "healthCheckPath": "/api/health"}})
