"""The command registry: declare once, fail loudly on duplicates and bad handlers, resolve one to three words."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.i18n import catalog
from bot.core.registry import CommandSpec, Kind, Param, Registry, describe_usage
from bot.core.types import Reply, Role


async def handler(ctx: object, **params: object) -> Reply:
    return Reply("ok")


def stub_t(key: str, **kw: object) -> str:
    return key.split(".")[-2 if key.startswith("choice.") else -1]


def make(name: str, *params: Param, role: Role = Role.MEMBER) -> CommandSpec:
    return CommandSpec(name, handler, params, role)


@pytest.fixture
def reg() -> Registry:
    registry = Registry()
    registry.add(make("apply", Param("id", Kind.GIG, required=True, positional=True)))
    registry.add(make("route add", Param("channel", Kind.CHANNEL, required=True, positional=True), role=Role.ADMIN))
    registry.add(make("route list", role=Role.ADMIN))
    registry.add(make("post", role=Role.POSTER))
    return registry


def test_same_command_name_twice_fails() -> None:
    registry = Registry()
    registry.add(make("apply"))
    with pytest.raises(ValueError, match="apply"):
        registry.add(make("apply", Param("id")))


def test_same_name_through_the_decorator_fails() -> None:
    registry = Registry()
    registry.command("mine")(handler)
    with pytest.raises(ValueError):
        registry.command("mine")(handler)


def test_parameter_declared_twice_fails() -> None:
    registry = Registry()
    with pytest.raises(ValueError, match="parameter"):
        registry.add(make("post", Param("title"), Param("budget"), Param("title", required=True)))
    assert "post" not in registry.commands


def test_decorator_registers_and_returns_the_handler() -> None:
    registry = Registry()
    returned = registry.command("mine", Param("page", Kind.INT), role=Role.POSTER, button=True)(handler)
    assert returned is handler
    spec = registry.commands["mine"]
    assert spec.params == (Param("page", Kind.INT),)
    assert spec.role is Role.POSTER and spec.button


def test_resolve_one_word(reg: Registry) -> None:
    spec, rest = reg.resolve(("apply", "12", "extra"))
    assert spec is not None and spec.name == "apply"
    assert rest == ("12", "extra")


def test_resolve_two_words(reg: Registry) -> None:
    spec, rest = reg.resolve(("route", "add", "#python-gigs"))
    assert spec is not None and spec.name == "route add"
    assert rest == ("#python-gigs",)


def test_resolve_is_case_insensitive_but_keeps_argument_case(reg: Registry) -> None:
    spec, rest = reg.resolve(("Route", "ADD", "#Python"))
    assert spec is not None and spec.name == "route add"
    assert rest == ("#Python",)


def test_resolve_unknown(reg: Registry) -> None:
    assert reg.resolve(("nope", "x")) == (None, ("nope", "x"))
    assert reg.resolve(("route", "nope")) == (None, ("route", "nope"))
    assert reg.resolve(()) == (None, ())


def test_resolve_one_word_command_with_a_second_word(reg: Registry) -> None:
    spec, rest = reg.resolve(("apply",))
    assert spec is not None and spec.name == "apply" and rest == ()


def test_groups_and_visibility(reg: Registry) -> None:
    assert reg.groups() == {"route"}
    reg.add(make("admin outbox retry", role=Role.ADMIN))
    assert reg.groups() == {"route", "admin", "admin outbox"}
    assert [c.name for c in reg.visible_to(Role.MEMBER)] == ["apply"]
    assert [c.name for c in reg.visible_to(Role.POSTER)] == ["apply", "post"]
    assert [c.name for c in reg.visible_to(Role.ADMIN)] == ["admin outbox retry", "apply", "post", "route add",
                                                          "route list"]


def test_spec_helpers() -> None:
    spec = make("route add", Param("channel", positional=True), Param("tags"), Param("where", positional=True))
    assert spec.key == "route_add"
    assert [p.name for p in spec.positionals] == ["channel", "where"]
    assert spec.param("tags") == Param("tags")
    assert spec.param("nope") is None


def test_describe_usage() -> None:
    spec = make(
        "status",
        Param("id", Kind.GIG, required=True, positional=True),
        Param("status", Kind.CHOICE, required=True, positional=True, choices=("hired", "rejected")),
        Param("pitch"),
        Param("page", Kind.INT, required=True),
        Param("words", positional=True, greedy=True),
    )
    assert describe_usage(spec, stub_t) == "/gig status <id> <hired|rejected> [pitch=<pitch>] page=<page> [<words>...]"


def test_describe_usage_without_params() -> None:
    assert describe_usage(make("route list"), stub_t) == "/gig route list"


def test_describe_usage_uses_the_catalog_placeholders() -> None:
    spec = make("apply", Param("id", Kind.GIG, required=True, positional=True), Param("pitch"))
    t: Callable[..., str] = lambda key, **kw: catalog("en")[key]  # noqa: E731
    assert describe_usage(spec, t) == "/gig apply <gig id> [pitch=<pitch>]"


def test_every_command_module_registers_with_help_in_both_catalogs() -> None:
    import bot.commands

    registry = bot.commands.registry
    modules = {name for _, name, _ in pkgutil.iter_modules(bot.commands.__path__) if not name.startswith("_")}
    assert modules, "no command modules found"
    for name in modules:
        importlib.import_module(f"bot.commands.{name}")
    declared_in = {spec.handler.__module__.rsplit(".", 1)[-1] for spec in registry}
    assert modules <= declared_in, f"modules that register no command: {sorted(modules - declared_in)}"

    missing = []
    for locale in ("en", "fr"):
        messages = catalog(locale)
        for spec in registry:
            if f"help.{spec.key}" not in messages:
                missing.append(f"{locale}: help.{spec.key}")
            for param in spec.params:
                if f"params.{param.name}" not in messages:
                    missing.append(f"{locale}: params.{param.name} ({spec.name})")
    assert not missing


def test_the_expected_commands_are_registered() -> None:
    import bot.commands

    names = set(bot.commands.registry.commands)
    assert {"post", "list", "search", "show", "apply", "withdraw", "mine", "status", "applicants", "close",
            "route add", "route list", "route remove", "route default", "role add", "role remove", "help"} <= names
    assert bot.commands.registry.groups() >= {"route", "role"}


@pytest.fixture
def deep(reg: Registry) -> Registry:
    reg.add(make("admin outbox list", role=Role.ADMIN))
    reg.add(make("admin outbox retry", Param("n", Kind.INT, required=True, positional=True), role=Role.ADMIN))
    reg.add(make("admin settings", role=Role.ADMIN))
    return reg


def test_resolve_three_words(deep: Registry) -> None:
    spec, rest = deep.resolve(("admin", "Outbox", "RETRY", "3"))
    assert spec is not None and spec.name == "admin outbox retry" and rest == ("3",)
    spec, rest = deep.resolve(("admin", "outbox", "list"))
    assert spec is not None and spec.name == "admin outbox list" and rest == ()
    spec, rest = deep.resolve(("admin", "settings", "tz=UTC"))
    assert spec is not None and spec.name == "admin settings" and rest == ("tz=UTC",)
    assert deep.resolve(("admin", "outbox")) == (None, ("admin", "outbox"))
    assert deep.resolve(("admin", "outbox", "nope", "3")) == (None, ("admin", "outbox", "nope", "3"))


def test_typed_name_reaches_through_the_longest_group(deep: Registry) -> None:
    assert deep.typed_name(("admin", "outbox", "retyr", "3")) == "admin outbox retyr"
    assert deep.typed_name(("admin", "outbx", "retry")) == "admin outbx"
    assert deep.typed_name(("route", "ad", "#x")) == "route ad"
    assert deep.typed_name(("aply", "3")) == "aply"
    assert deep.typed_name(("admin",)) == "admin"


@pytest.mark.parametrize(("first", "second"), [
    ("route", "route add"), ("route add", "route"), ("admin outbox", "admin outbox retry"),
    ("admin outbox retry", "admin outbox"), ("admin", "admin outbox retry"), ("admin outbox retry", "admin"),
])
def test_a_command_named_like_a_group_is_refused_in_either_order(first: str, second: str) -> None:
    registry = Registry()
    registry.add(make(first))
    with pytest.raises(ValueError, match=repr(second)):
        registry.add(make(second))
    assert second not in registry.commands


@pytest.mark.parametrize("name", ["a b c d", "", "route  add", "Route add", " apply"])
def test_a_name_of_more_than_three_or_malformed_words_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="words"):
        Registry().add(make(name))


async def takes_id(ctx: object, id: int) -> Reply:
    return Reply("ok")


async def takes_id_and_pitch(ctx: object, id: int, pitch: str = "") -> Reply:
    return Reply("ok")


async def takes_nothing(ctx: object) -> Reply:
    return Reply("ok")


async def takes_optional_id(ctx: object, id: int = 0) -> Reply:
    return Reply("ok")


async def takes_no_context() -> Reply:
    return Reply("ok")


async def takes_positional_rest(ctx: object, *words: str) -> Reply:
    return Reply("ok")


GIG = Param("id", Kind.GIG, required=True, positional=True)


@pytest.mark.parametrize(("handler_", "params", "form", "error"), [
    (takes_nothing, (GIG,), False, "takes no parameter id"),
    (takes_id, (), False, "'id' is not declared"),
    (takes_id, (Param("pitch"), GIG), False, "takes no parameter pitch"),
    (takes_id, (Param("id", Kind.GIG),), False, "'id' needs a default"),
    (takes_id, (GIG,), True, "'id' needs a default"),
    (takes_no_context, (), False, "context first"),
    (takes_positional_rest, (), False, "cannot be given by keyword"),
])
def test_a_handler_that_does_not_match_its_declaration_fails_naming_the_command(
        handler_: Callable[..., object], params: tuple[Param, ...], form: bool, error: str) -> None:
    registry = Registry()
    with pytest.raises(ValueError, match=error) as raised:
        registry.add(CommandSpec("show", handler_, params, form=form))  # type: ignore[arg-type]
    assert "'show'" in str(raised.value) and handler_.__name__ in str(raised.value)
    assert "show" not in registry.commands


@pytest.mark.parametrize(("handler_", "params", "form"), [
    (takes_id, (GIG,), False),
    (takes_id_and_pitch, (GIG, Param("pitch")), False),
    (takes_id_and_pitch, (GIG,), False),  # an undeclared parameter with a default is never given: harmless
    (takes_optional_id, (GIG,), True),
    (takes_optional_id, (Param("id", Kind.GIG),), False),
    (handler, (GIG, Param("pitch")), False),  # **params takes anything
])
def test_a_handler_that_matches_its_declaration_is_accepted(
        handler_: Callable[..., object], params: tuple[Param, ...], form: bool) -> None:
    registry = Registry()
    registry.add(CommandSpec("show", handler_, params, form=form))  # type: ignore[arg-type]
    assert "show" in registry.commands


def test_command_modules_are_found_without_a_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A module added to bot/commands is registered: the package finds its modules by walking itself."""
    import bot.commands

    package = tmp_path / "bot_commands_copy"
    package.mkdir()
    source = Path(bot.commands.__file__).read_text(encoding="utf-8")
    (package / "__init__.py").write_text(source.replace("from bot.core.registry import registry",
                                                        "from bot.core.registry import Registry\n\nregistry = "
                                                        "Registry()"), encoding="utf-8")
    (package / "newfeature.py").write_text(
        "from bot_commands_copy import registry\n\n\n@registry.command('brand new')\n"
        "async def brand_new(ctx):\n    return None\n", encoding="utf-8")
    (package / "_helper.py").write_text("raise AssertionError('a helper module is not a feature')\n",
                                        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    copy = importlib.import_module("bot_commands_copy")
    assert copy.FEATURES == ("newfeature",)
    assert list(copy.registry.commands) == ["brand new"]
    assert set(bot.commands.FEATURES) == {name for _, name, _ in pkgutil.iter_modules(bot.commands.__path__)
                                          if not name.startswith("_")}


def test_the_gig_id_parameter_is_declared_once() -> None:
    """Every command taking a gig id uses the one shared declaration, and no module writes its own."""
    import bot.commands
    from bot.commands._params import GIG_ID

    takes_gig = [spec for spec in bot.commands.registry if any(p.kind is Kind.GIG for p in spec.params)]
    assert {spec.name for spec in takes_gig} >= {"apply", "withdraw", "show", "status", "applicants", "close",
                                                 "snooze", "reminders"}
    assert all(spec.params[0] is GIG_ID for spec in takes_gig)
    commands_dir = Path(bot.commands.__file__).parent
    own = [path.name for path in commands_dir.glob("*.py") if "Kind.GIG" in path.read_text(encoding="utf-8")
           and path.name != "_params.py"]
    assert own == []
