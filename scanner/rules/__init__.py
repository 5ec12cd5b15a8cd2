"""Rules are data: TOML files in ``patterns/``, parsed and validated here."""
