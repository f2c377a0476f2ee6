import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
SDKS = ("slack_bolt", "slack_sdk", "discord", "aiohttp")
# Layers, lowest first: a module may import its own layer and the ones below it, never one above (DESIGN.md).
LAYERS = ("core", "store", "config", "services", "dispatch", "commands", "app", "adapters", "__main__")
LAYER_OF = {"scheduler": "app", "locales": "core"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "bot":
                names.update(f"bot.{alias.name}" for alias in node.names)
    return names


def layer(module: str) -> int:
    """The layer of `bot.<part>...` by its first part below bot."""
    part = module.split(".")[1] if "." in module else module
    return LAYERS.index(LAYER_OF.get(part, part))


def test_nothing_outside_the_adapters_imports_a_platform_sdk() -> None:
    offenders = {
        str(path.relative_to(BOT)): sorted(name for name in imported_modules(path) if name.split(".")[0] in SDKS)
        for path in BOT.rglob("*.py")
        if "adapters" not in path.parts
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_layers_point_one_way() -> None:
    upward: dict[str, list[str]] = {}
    for path in BOT.rglob("*.py"):
        relative = path.relative_to(BOT)
        if relative.parts[0] in ("__init__.py",):
            continue
        own = layer("bot." + relative.parts[0].removesuffix(".py"))
        found = sorted(name for name in imported_modules(path)
                       if name.startswith("bot.") and layer(name) > own)
        if found:
            upward[str(relative)] = found
    assert upward == {}


def test_every_part_of_the_bot_has_a_layer() -> None:
    parts = {path.name.removesuffix(".py") for path in BOT.iterdir()
             if path.name not in ("__init__.py", "__pycache__") and (path.suffix == ".py" or path.is_dir())}
    assert {part for part in parts if LAYER_OF.get(part, part) not in LAYERS} == set()
