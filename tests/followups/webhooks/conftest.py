import pytest

from tests.followups.webhooks import Receiver


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()
