"""The command registry: declare once, fail loudly on duplicates, resolve one- and two-word names."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import pytest

from bot.core.i18n import catalog
from bot.core.registry import CommandSpec, Kind, Param, Registry, describe_usage
from bot.core.types import Reply, Role


async def handler(ctx: object, **params: object) -> Reply:
    return Reply("ok")


def stub_t(key: str, **kw: object) -> str:
    return key.split(".")[-1]


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
    assert [c.name for c in reg.visible_to(Role.MEMBER)] == ["apply"]
    assert [c.name for c in reg.visible_to(Role.POSTER)] == ["apply", "post"]
    assert [c.name for c in reg.visible_to(Role.ADMIN)] == ["apply", "post", "route add", "route list"]


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
