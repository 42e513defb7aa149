"""Demo data for customer archives: unit details, site scopes, and archives partly complete.

Called by `kefu.workspace.demo.create_demo_org` (and by `manage.py demo_data` for databases made
before archives existed). Idempotent and fast: bulk inserts, one shared sample scan on disk.
"""

import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from kefu.customers.choices import DocumentScope, DocumentStatus, UnitStatus, UnitUse
from kefu.customers.models import ArchiveDocument, ArchiveFile, Asset, CustomerAsset, DocumentType, Site
from kefu.org.models import Department

# The smallest valid PDF: enough for the archive pages to list and serve a file.
SAMPLE_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
              b"trailer<</Root 1 0 R>>\n%%EOF\n")
SAMPLE_PATH = "archives/demo/sample.pdf"


@transaction.atomic
def create_demo_archives(*, seed: int = 5) -> int:
    """Scope the demo sites to their companies, fill unit details and file about three quarters
    of the unit archives' documents (so the "missing documents" list has work in it). Returns
    the number of documents created (0 when the demo archives already exist)."""
    if ArchiveDocument.objects.exists():
        return 0
    rng = random.Random(seed)
    for code in ("CH", "BB"):
        department = Department.objects.filter(code=code).first()
        if department is not None:
            Site.objects.filter(code=code, department=None).update(department=department)
    units = list(Asset.objects.filter(kind="unit").order_by("pk"))
    occupied = set(CustomerAsset.objects.filter(ended_on=None, asset__kind="unit").values_list("asset_id", flat=True))
    for unit in units:
        unit.area = Decimal(rng.choice(["68.50", "89.20", "105.00", "128.70", "143.30"]))
        unit.use = UnitUse.RESIDENTIAL
        unit.unit_status = UnitStatus.OCCUPIED if unit.pk in occupied else rng.choice(
            [UnitStatus.VACANT, UnitStatus.VACANT, UnitStatus.FOR_RENT, UnitStatus.FOR_SALE, UnitStatus.RENOVATING])
    Asset.objects.bulk_update(units, ["area", "use", "unit_status"], batch_size=1000)
    if not default_storage.exists(SAMPLE_PATH):
        default_storage.save(SAMPLE_PATH, ContentFile(SAMPLE_PDF))
    types = list(DocumentType.objects.filter(scope=DocumentScope.UNIT, is_active=True, required=True))
    now = timezone.now()
    documents = [ArchiveDocument(document_type=t, asset=unit, status=DocumentStatus.PRESENT, updated_at=now)
                 for unit in units for t in types if rng.random() < 0.75]
    ArchiveDocument.objects.bulk_create(documents, batch_size=2000)
    ArchiveFile.objects.bulk_create([
        ArchiveFile(document=d, file=SAMPLE_PATH, original_name=f"{d.document_type.name}.pdf",
                    content_type="application/pdf", size=len(SAMPLE_PDF), uploaded_at=now) for d in documents
    ], batch_size=2000)
    return len(documents)
