from tests.conftest import Panel
from tests.functional.web.conftest import Visitor


def test_sign_up_shows_key_once(panel: Panel, visitor: Visitor) -> None:
    visitor.sign_up()
    assert panel.balance(visitor.key) == "0.00000"
    again = visitor.get("/")
    assert 'id="new-key"' not in again.text
