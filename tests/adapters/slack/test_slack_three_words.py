"""`/gig admin outbox retry 3` style commands through the real bolt app: three words resolve, members are refused."""

from tests.adapters.slack.conftest import SlackRig, texts
from tests.threewords import with_three_words


async def test_a_three_word_admin_command_through_slack(slack: SlackRig) -> None:
    slack.core.dispatcher.registry = with_three_words()
    assert "queue retried 3" in texts(await slack.command("UADMIN", "admin queue retry 3"))
    assert "queue listed" in texts(await slack.command("UADMIN", "admin queue list"))
    mistyped = texts(await slack.command("UADMIN", "admin queue retyr 3"))
    assert "Did you mean `/gig admin queue retry`?" in mistyped
    refused = texts(await slack.command("U1", "admin queue retry 3"))
    assert "queue retried" not in refused and "admin" in refused
