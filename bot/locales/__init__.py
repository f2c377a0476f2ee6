"""Translation catalogs: en.toml and fr.toml."""
