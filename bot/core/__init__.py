"""Platform-neutral core: types, registry, dispatch, clock, translations. Imports no platform SDK."""
