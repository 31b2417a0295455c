"""The website words every refusal with the very text API v2 answers."""

from __future__ import annotations

import pytest

from smmpanel.api import errors
from smmpanel.orders.refusals import OrderRefused, Reason
from smmpanel.web.customer import wording


@pytest.mark.parametrize("reason", list(Reason))
def test_same_words_as_the_api(reason: Reason) -> None:
    for limit in (None, 10, 12345):
        refused = OrderRefused(reason, "quantity", limit if reason in (Reason.TOO_FEW, Reason.TOO_MANY) else None)
        assert wording.refusal_text(refused) == errors.refusal_text(refused)


def test_every_reason_has_words() -> None:
    assert set(wording.REFUSALS) == set(Reason) == set(errors.REFUSALS)
