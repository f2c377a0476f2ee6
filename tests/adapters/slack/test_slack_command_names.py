"""On Slack every command, admin ones too, is a /gig subcommand: help and errors name them so."""

from tests.adapters.slack.conftest import SlackRig, texts


async def test_slack_names_admin_commands_under_gig(slack: SlackRig) -> None:
    listing = texts(await slack.command("UADMIN", "help"))
    for command in ("/gig route add", "/gig role add", "/gig admin settings", "/gig admin outbox retry"):
        assert command in listing, command
    assert "gig-admin" not in listing
    refused = texts(await slack.command("U1", "help route add"))
    assert "Only admins can run `/gig route add`." in refused and "gig-admin" not in refused
