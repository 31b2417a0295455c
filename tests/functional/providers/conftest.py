"""The providers' tests use the fulfilment kit's scripted upstream panel."""

from tests.functional.fulfilment.conftest import upstream  # noqa: F401 (a fixture)
