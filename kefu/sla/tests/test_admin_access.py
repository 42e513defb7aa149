"""Who may open the holiday import page that the administrators' banner links to."""

import pytest

pytestmark = pytest.mark.django_db

IMPORT = "/admin/sla/holidayyear/import/"


def test_the_administrator_role_may_import_holidays(client, cast):
    client.force_login(cast["administrator"])
    response = client.get(IMPORT)
    assert response.status_code == 200


def test_a_superuser_may_import_holidays(client, superuser):
    client.force_login(superuser)
    assert client.get(IMPORT).status_code == 200


def test_other_roles_may_not(client, cast):
    client.force_login(cast["supervisor"])  # not staff: the admin's login page
    response = client.get(IMPORT)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
