"""The refusal texts on the wire, written out literally (spec §6): the other tests compare answers with the
constants the server itself uses, which would not notice a typo in a constant."""

from __future__ import annotations

from tests.conftest import Panel


def test_refusal_texts_are_the_spec_s(panel: Panel) -> None:
    key = panel.customer("1")
    service = panel.service(rate="10", min=10, max=1000, refill_days=0, cancel=False)
    link = "https://ig.example/p"

    def add(**params: object) -> object:
        return panel.api(key=key, action="add", **params)

    assert add(service=999_999, link=link, quantity=100) == {"error": "Incorrect service ID"}
    assert add(service=service, link=link, quantity=9) == {"error": "Quantity less than minimal 10"}
    assert add(service=service, link=link, quantity=1001) == {"error": "Quantity more than maximum 1000"}
    assert add(service=service, link=link, quantity=200) == {"error": "Not enough funds on balance"}
    assert panel.api(key=key, action="status", order=424242) == {"error": "Incorrect order ID"}
    assert panel.api(key=key, action="refill_status", refill=424242) == {"error": "Refill not found"}
    assert panel.api(key="0" * 32, action="balance") == {"error": "Invalid API key"}
    assert panel.api(key=key, action="nope") == {"error": "Incorrect request"}
    assert panel.balance(key) == "1.00000"
    assert panel.sql("SELECT COUNT(*) FROM orders") == [(0,)]
    assert panel.sql("SELECT COUNT(*) FROM ledger WHERE kind <> 'deposit'") == [(0,)]
