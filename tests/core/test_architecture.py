import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
SDKS = ("slack_bolt", "slack_sdk", "discord", "aiohttp")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_nothing_outside_the_adapters_imports_a_platform_sdk() -> None:
    offenders = {
        str(path.relative_to(BOT)): sorted(name for name in imported_modules(path) if name.split(".")[0] in SDKS)
        for path in BOT.rglob("*.py")
        if "adapters" not in path.parts
    }
    assert {path: names for path, names in offenders.items() if names} == {}
