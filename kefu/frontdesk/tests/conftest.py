"""The front desk tests' estate: a site of the cast's company with fee items, and an occupied unit."""

import pytest

from kefu.frontdesk.tests.factories import make_estate, make_unit


@pytest.fixture
def estate(org):
    return make_estate(org)


@pytest.fixture
def occupied(estate):
    return make_unit(estate, "CH-1-1203", occupant="张三")
