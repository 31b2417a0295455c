"""Staff of the panel: the operator console's accounts, roles and their append-only activity log."""
