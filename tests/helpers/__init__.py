"""Importable test helpers (classes, constants, functions); the conftest modules hold only
fixtures and hooks, as pytest advises."""
