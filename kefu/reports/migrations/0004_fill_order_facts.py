"""Fill OrderFact for the orders that exist (ADR 0008).

The definitions are frozen here as they were when the table came (kefu.reports.metrics at
migration 0003), on the historical models: a migration must not import today's code, whose
models may have moved on. Later orders are written by kefu.reports.facts as they change.
At 1,000,000 orders this takes a few minutes (batches of 5,000, one statement each).
"""

import datetime as dt

from django.db import migrations
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce

REPEAT_WINDOW = dt.timedelta(days=30)
CALLBACK_TYPES = ("complaint", "repair")
POSITIVE_OUTCOMES = ("very_satisfied", "satisfied")
SATISFIED_STAR_SUM = 12
MIRRORED = ("received_at", "resolved_at", "updated_at", "type", "channel", "status", "reopen_count", "complaint_level",
            "category_id", "site_id", "team_id", "intake_department_id", "assignee_id", "first_contact_owner_id")


def _flag(q):
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def fill(apps, schema_editor):
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    OrderFact = apps.get_model("reports", "OrderFact")
    Callback = apps.get_model("callbacks", "Callback")
    RatingLink = apps.get_model("callbacks", "RatingLink")

    def earlier(field):
        return Exists(WorkOrder.objects.filter(
            **{field: OuterRef(field)}, type="complaint", category_id=OuterRef("category_id"),
            received_at__lt=OuterRef("received_at"), received_at__gte=OuterRef("received_at") - REPEAT_WINDOW,
        ).exclude(status="cancelled"))

    def callbacks(**filters):
        return Exists(Callback.objects.filter(work_order=OuterRef("pk"), **filters))

    rated = Exists(RatingLink.objects.filter(work_order=OuterRef("pk"), used_at__isnull=False))
    low = Exists(RatingLink.objects.filter(work_order=OuterRef("pk"), used_at__isnull=False).alias(
        stars=Coalesce("speed", 0) + Coalesce("attitude", 0) + Coalesce("quality", 0)).filter(
        stars__lt=SATISFIED_STAR_SUM))
    due = Q(type__in=CALLBACK_TYPES)
    flags = {
        "repeat_complaint": _flag(Q(type="complaint") & ~Q(status="cancelled") & (
            (Q(customer__isnull=False) & Q(earlier("customer_id"))) | (Q(asset__isnull=False) & Q(earlier("asset_id"))))),
        "callback_completed": _flag(due & Q(callbacks(status="completed"))),
        "callback_ended": _flag(due & Q(callbacks(status__in=["completed", "unreachable"]))),
        "callback_satisfied": _flag(due & Q(callbacks(status="completed", outcome__in=POSITIVE_OUTCOMES))),
        "rated": _flag(Q(rated)),
        "rated_low": _flag(Q(low)),
    }
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    columns = ["work_order_id", *MIRRORED, *flags]
    last = 0
    while True:
        ids = list(WorkOrder.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:5000])
        if not ids:
            break
        last = ids[-1]
        rows = (WorkOrder.objects.filter(pk__gte=ids[0], pk__lte=last).order_by()
                .annotate(**{f"fact_{k}": v for k, v in flags.items()})
                .values_list("pk", *MIRRORED, *(f"fact_{k}" for k in flags)))
        sql, params = rows.query.sql_with_params()
        # computed and written by the database (one statement per batch, no rows through Python)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {qn(OrderFact._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
                           f"{sql} ON CONFLICT ({qn('work_order_id')}) DO NOTHING", params)


def empty(apps, schema_editor):
    apps.get_model("reports", "OrderFact").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0003_add_order_facts"),
        ("callbacks", "0002_seed_rules"),
    ]

    operations = [migrations.RunPython(fill, empty)]
