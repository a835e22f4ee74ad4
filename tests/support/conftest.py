from zoneinfo import ZoneInfo

import pytest

UTC = ZoneInfo("UTC")


@pytest.fixture
def frozen(time_machine):
    """Stop the clock at a moment, with the server's own clock and zone in UTC. Never sleeps.

    frozen(uk(2018, 6, 29, 16, 59, 59)) is one second before a 5pm UK deadline.
    """

    def move(moment):
        time_machine.move_to(moment.astimezone(UTC), tick=False)
        return moment

    return move
