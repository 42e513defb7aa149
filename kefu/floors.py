"""The floors of the house: which app may import which (checked by kefu/tests/test_floors.py).

An app may import the apps on the floors below its own, never one on its own floor or above, so
that the apps form no import cycle and a floor can be read, tested and changed without the ones
above it. The few upward edges that remain are listed in ALLOWED_UPWARD, each with its reason;
there are at most MAX_UPWARD of them. Only the apps' code counts (kefu/<app>/tests/ may import
anything: tests check how the floors work together). `config/` is the composition root above
every floor (settings, URLconfs); it may import any app.

A page of a lower app may still show an upper app's panel: the upper app serves it (a template
tag, such as `{% order_follow_up order %}` of callbacks, or an htmx partial), and the lower app's
Python never imports it. Side effects of work-order events go through the gate's hooks
(`settings.KEFU_WORK_ORDER_HOOKS`, docs/architecture.md), not through imports from below.
"""

# Lowest first. Apps on one floor do not import each other.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("core",),  # the kernel: errors, workflow helpers, pages, masking, numbering — no domain app
    ("org",),  # departments, roles, staff, the actor
    ("customers", "tokens"),  # customers, units, archives; API tokens (expiring, revocable)
    ("workorders",),  # the gate, events, the hooks runner
    ("sla", "knowledge", "privacy"),  # clocks (hook 1), search index, reveal-with-reason
    ("notifications",),  # notices and the outbox (after-commit of the gate)
    ("callbacks",),  # callbacks and ratings (hook 2)
    ("surveys", "exchange", "channels", "frontdesk", "routing", "repairs"),  # questionnaires and
    # campaigns; import, export, merge; requests arriving by phone, WeChat, email (a missed call → a
    # callback task); the front desk's registers; routing rules (dispatch after intake, as the
    # system); repair records (parts, quote as the order's plan, charge, the customer's signature)
    ("improvement", "notices", "patrols"),  # corrective actions; announcements to customers;
    # patrol rounds (findings → orders, routed)
    ("quality", "vendors"),  # QA checks (propose corrective actions); vendors' nonconformities
    # (from patrol findings) and monthly scorecards
    ("kpi", "reports"),  # scorecards from callbacks, clocks, QA; reports and facts (hook 3)
    ("standards",),  # the standards board: figures read from reports, surveys, QA, KPI…
    ("portal",),  # the customers' own door (/m/, /api/v1/portal/): reads their units, orders, notices;
    # acts through the gate, the outbox and the rating links
    ("workspace",),  # what spans apps: demo data, navigation, the customer 360 page, the units list
)

MAX_UPWARD = 5

# (importing app, imported app): why this edge runs upward (or sideways) and stays.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {
    ("customers", "workorders"):
        "PIPL erasure of a customer also erases the contact copied onto their work orders "
        "(workorders.services.work_order_erase_contact, an event per order through the gate's "
        "writer), in the erasure's one transaction.",
    ("workorders", "sla"):
        "the order API's clocks endpoint (/api/work-orders/{id}/clocks/, a public URL) and the "
        "timeline's escalation rows name SLA clocks; SLA itself reaches orders only as hook 1.",
    ("workorders", "knowledge"):
        "the queue's search box (WorkOrderFilterSet ?search=) ranks orders with the search index, "
        "which sits above work orders because it indexes them (and articles, and customers).",
    ("surveys", "improvement"):
        "closing a campaign proposes a corrective action for each item below target "
        "(improvement.services.corrective_action_propose, as quality does from its floor above); "
        "improvement sits above surveys because a notice's effect reads the item's rate history.",
}


def floor_of() -> dict[str, int]:
    """Each app's floor number (0 = core)."""
    return {app: number for number, apps in enumerate(FLOORS) for app in apps}
