"""Support tickets between customers and staff (see tickets.py)."""
