"""Command handlers, one module per feature; importing this package finds and registers every one of them.

Modules are found with pkgutil rather than a hand-kept list, so a module added here is registered; a name starting
with `_` is a helper, not a feature.
"""

import importlib
import pkgutil

from bot.core.registry import registry

FEATURES = tuple(sorted(name for _, name, _ in pkgutil.iter_modules(__path__) if not name.startswith("_")))
for _feature in FEATURES:
    importlib.import_module(f"{__name__}.{_feature}")

__all__ = ["FEATURES", "registry"]
