"""Demo archives: sites scoped to their companies, archives partly missing, idempotent."""

import pytest

from kefu.customers.demo import create_demo_archives
from kefu.customers.models import ArchiveDocument, Asset, Site
from kefu.customers.selectors import building_completeness, units_missing_documents
from kefu.workspace.demo import create_demo_org

pytestmark = pytest.mark.django_db


def test_demo_archives_are_partly_missing_and_idempotent():
    create_demo_org(customers=40)
    documents = ArchiveDocument.objects.count()
    units = Asset.objects.filter(kind="unit").count()
    assert 0.6 * units * 6 < documents < 0.9 * units * 6
    assert Site.objects.get(code="CH").department.code == "CH"
    assert units_missing_documents(actor=None).count() > 0
    assert all(0 < b.percent < 100 for b in building_completeness(actor=None))
    assert Asset.objects.get(code="CH-1-1203").code_key_reversed == "3021-1-HC"
    assert create_demo_archives() == 0
    assert ArchiveDocument.objects.count() == documents
