"""Manual payments: the operator's payment methods and the customers' payment requests (see requests.py)."""
