"""Commands named in bot text become CommandRef parts, spelled per platform; user text is never read as one."""

import bot.commands  # noqa: F401 - fills the registry
from bot.core.i18n import Translator
from bot.core.text import CommandRef, Rich, UserText, command_words


def test_the_catalogs_gig_spans_become_references_in_the_readers_language() -> None:
    text = Translator("fr")("errors.forbidden_admin", command=Rich(("route list",)))
    assert CommandRef("route list", True, "fr") in tuple(text)
    assert str(text) == "Seuls les admins peuvent lancer `/gig route list`."
    how = Translator("en")("admin.how")
    assert tuple(how)[1] == CommandRef("admin settings", True, "en") and str(how).startswith(
        "Change them with /gig admin settings first_nudge=2d")
    closed = Translator("en")("close.dm", id=3, title="Logo")
    assert CommandRef("list", False, "en") in tuple(closed) and str(closed).endswith("/gig list shows what's open.")


def test_only_registered_commands_in_bot_text_are_references() -> None:
    t = Translator("en")
    typed = t("errors.unknown_command", name="route add")
    assert [part for part in typed if isinstance(part, CommandRef)] == [CommandRef("help", False, "en")]
    assert UserText("route add") in tuple(typed)
    console = t("console.unknown_line", line="/gig-admin")
    assert [part for part in console if isinstance(part, CommandRef)] == [CommandRef("help", False, "en")]


def test_command_words_per_platform() -> None:
    assert command_words("route add", True) == ["gig", "route", "add"]
    assert command_words("admin outbox retry", True, "discord") == ["gig-admin", "outbox", "retry"]
    assert command_words("route add", True, "discord") == ["gig-admin", "route", "add"]
    assert command_words("admin", True, "discord") == ["gig-admin"]
    assert command_words("apply", False, "discord") == ["gig", "apply"]
    assert str(CommandRef("admin settings", True)) == "/gig admin settings"
