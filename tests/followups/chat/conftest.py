import pytest

from tests.followups.chat import SlackReceiver


@pytest.fixture
def slack():
    running = SlackReceiver().start()
    yield running
    running.stop()
