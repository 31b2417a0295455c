"""The operator console under /admin: staff sign-in, the role guard, and its pages (issue 9)."""
