"""The notice tests' estate (three buildings and their occupants), shared by the API, page and browser tests."""

from kefu.notices.tests.test_notices import estate  # noqa: F401  # the fixture, defined next to the API tests
