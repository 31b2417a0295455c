"""The website (customer pages) and, next, the operator console: server-rendered HTML over the same domain
functions as the API and the CLI. `security.py` holds what both share (sessions, CSRF, headers)."""
