"""Starlette example: browser login, bearer API, role guards, UMA enforcer, WebSocket."""
