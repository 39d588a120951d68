"""FastAPI example: Security() dependencies with typed claims, browser login, UMA enforcer."""
