"""Survey links are not stored (ADR 0009): rows keep a selector, the app rebuilds the link with a
key derived from SECRET_KEY, and links issued before the change still open."""

import hashlib
import secrets
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kefu.customers.models import Asset
from kefu.notifications.models import OutboundMessage
from kefu.surveys import services, tokens
from kefu.surveys.models import BuildingCode, Invitation, Response
from kefu.surveys.tests.factories import answers_for, make_campaign, make_estate, make_questionnaire

OPEN = {"starts_on": date(2026, 1, 1), "ends_on": date(2099, 12, 31)}
BEFORE = ("surveys", "0003_campaign_tag_population")


def _columns(model, pk) -> dict:
    """Every column of the row as the database holds it."""
    return model.objects.filter(pk=pk).values(*[f.attname for f in model._meta.concrete_fields]).get()


def _unknown(response, campaign_name: str) -> bool:
    html = response.content.decode()
    return response.status_code == 404 and 'data-state="unknown"' in html and campaign_name not in html


@pytest.mark.django_db
def test_no_column_holds_the_link_and_the_link_opens_the_form(cast):
    campaign = make_campaign(actor=cast["supervisor"], name="年度调查", units=3, **OPEN)
    invitation = campaign.invitations.order_by("id").first()
    code = campaign.building_codes.order_by("id").first()
    for row in (invitation, code):
        token = row.token
        assert len(token) == tokens.TOKEN_LENGTH == 28
        selector, verifier = tokens.split(token)
        assert selector == row.selector
        for column, value in _columns(type(row), row.pk).items():
            assert token not in str(value), column
            assert verifier not in str(value), column
    # the link sent is the one the app rebuilds
    message = OutboundMessage.objects.get(to_address=invitation.customer.phones.get().number)
    assert f"/surveys/r/{invitation.token}/" in message.body

    page = Client().get(reverse("surveys:respond", args=[invitation.token]))
    assert page.status_code == 200 and "您对保洁服务是否满意？" in page.content.decode()
    building = Client().get(reverse("surveys:building", args=[code.token]))
    assert building.status_code == 200 and invitation.asset.code in building.content.decode()
    answered = Client().post(reverse("surveys:respond", args=[invitation.token]), answers_for(campaign, 5))
    assert answered.status_code == 200 and Response.objects.get().invitation == invitation


@pytest.mark.django_db
def test_what_the_database_holds_and_tampered_links_get_the_unknown_page(cast):
    campaign = make_campaign(actor=cast["supervisor"], name="年度调查", units=3, **OPEN)
    first, second = campaign.invitations.order_by("id")[:2]
    code = campaign.building_codes.order_by("id").first()
    token = first.token
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    tries = {
        "unknown": "no-such-token",
        "selector only": first.selector,
        "last character changed": flipped,
        "another row's verifier": first.selector + tokens.split(second.token)[1],
        "a building code's link": code.token,
        "one character short": token[:-1],
        "the selector's sha256": hashlib.sha256(first.selector.encode()).hexdigest(),
    }
    for what, attempt in tries.items():
        assert _unknown(Client().get(reverse("surveys:respond", args=[attempt])), "年度调查"), what
        assert _unknown(Client().post(reverse("surveys:respond", args=[attempt]), answers_for(campaign, 5)),
                        "年度调查"), what
    assert _unknown(Client().get(reverse("surveys:building", args=[first.token])), "年度调查")
    assert _unknown(Client().get(reverse("surveys:building", args=[code.selector])), "年度调查")
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_link_is_found_by_its_indexed_selector(cast):
    campaign = make_campaign(actor=cast["supervisor"], units=2, **OPEN)
    invitation = campaign.invitations.first()
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get(reverse("surveys:respond", args=[invitation.token])).status_code == 200
    lookup = next(q["sql"] for q in ctx.captured_queries if 'FROM "surveys_invitation"' in q["sql"])
    assert f"\"surveys_invitation\".\"selector\" = '{invitation.selector}'" in lookup.replace("%s", "")
    for model in (Invitation, BuildingCode):
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
        unique = [c["columns"] for c in constraints.values() if c["unique"]]
        assert ["selector"] in unique and ["legacy_token_hash"] in unique


@pytest.mark.django_db
def test_rotating_secret_key_keeps_links_with_the_old_key_as_fallback(cast, settings):
    campaign = make_campaign(actor=cast["supervisor"], units=1, **OPEN)
    invitation = campaign.invitations.get()
    old_key, old_link = settings.SECRET_KEY, invitation.token
    url = reverse("surveys:respond", args=[old_link])
    with override_settings(SECRET_KEY="rotated-" + old_key, SECRET_KEY_FALLBACKS=[old_key]):
        assert invitation.token != old_link  # links built from now on use the new key …
        assert Client().get(reverse("surveys:respond", args=[invitation.token])).status_code == 200
        assert Client().get(url).status_code == 200  # … and those already sent still open
    with override_settings(SECRET_KEY="rotated-" + old_key, SECRET_KEY_FALLBACKS=[]):
        assert Client().get(url).status_code == 404  # old key dropped: its links are dead
        assert Client().get(reverse("surveys:respond", args=[invitation.token])).status_code == 200


@pytest.mark.django_db
def test_opening_a_300_unit_campaign_costs_the_same_statements_as_with_stored_tokens(cast):
    """Measured before ADR 0009: 11 statements on SQLite (invitations inserted in 3 batches), 9 on
    PostgreSQL (one INSERT) without sending; 314 / 312 with the links queued (one outbox row each)."""
    units = 300
    site = make_estate(units=units, buildings=5)
    questionnaire = make_questionnaire(actor=cast["supervisor"])
    budget = {"sqlite": 11, "postgresql": 9}[connection.vendor]
    quiet = make_campaign(actor=cast["supervisor"], questionnaire=questionnaire, site=site, open_it=False, **OPEN)
    with CaptureQueriesContext(connection) as ctx:
        services.campaign_open(actor_user=cast["supervisor"], campaign=quiet, send_links=False)
    assert len(ctx.captured_queries) == budget
    sending = make_campaign(actor=cast["supervisor"], questionnaire=questionnaire, site=site, open_it=False,
                            **OPEN)
    with CaptureQueriesContext(connection) as ctx:
        services.campaign_open(actor_user=cast["supervisor"], campaign=sending)
    assert len(ctx.captured_queries) <= budget + 3 + units  # one outbox row per link, as before
    assert Invitation.objects.filter(campaign=sending).count() == units
    assert len(set(Invitation.objects.values_list("selector", flat=True))) == 2 * units


@pytest.mark.django_db(transaction=True)
def test_links_issued_before_the_migration_still_open(cast):
    """Rows made the old way (plain tokens, schema of 0003) go through the data migration: the
    old links and QR codes still open, nothing holds them in plain text, new links are rebuilt;
    migrating back writes the rebuilt links into the token column."""
    questionnaire = make_questionnaire(actor=cast["supervisor"])
    site = make_estate(units=3, buildings=2)
    campaign = make_campaign(actor=cast["supervisor"], questionnaire=questionnaire, site=site, name="旧链接调查",
                             open_it=False, **OPEN)
    units = list(Asset.objects.filter(site=site).order_by("code"))
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("surveys")
    old_links, old_codes = {}, {}
    try:
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        for unit in units:
            token = secrets.token_urlsafe(18)  # how 0001–0003 made them
            row = old.get_model("surveys", "Invitation").objects.create(
                campaign_id=campaign.pk, asset_id=unit.pk, building_id=unit.building_id,
                customer_id=unit.customer_links.get().customer_id, token=token)
            old_links[row.pk] = token
        for building_id in sorted({u.building_id for u in units}):
            token = secrets.token_urlsafe(18)
            row = old.get_model("surveys", "BuildingCode").objects.create(campaign_id=campaign.pk,
                                                                          building_id=building_id, token=token)
            old_codes[row.pk] = token
        old.get_model("surveys", "Campaign").objects.filter(pk=campaign.pk).update(status="open",
                                                                                 opened_at=timezone.now())
        executor.loader.build_graph()
        executor.migrate(latest)

        for model, links in ((Invitation, old_links), (BuildingCode, old_codes)):
            for pk, token in links.items():
                columns = _columns(model, pk)
                assert columns["legacy_token_hash"] == hashlib.sha256(token.encode()).hexdigest()
                assert len(columns["selector"]) == tokens.SELECTOR_LENGTH
                assert all(token not in str(value) for value in columns.values())
        assert len({i.selector for i in Invitation.objects.all()}) == 3
        for pk, token in old_links.items():  # the links already sent …
            page = Client().get(reverse("surveys:respond", args=[token]))
            assert page.status_code == 200 and "您对保洁服务是否满意？" in page.content.decode()
            rebuilt = Invitation.objects.get(pk=pk).token  # … and the ones sent from now on
            assert rebuilt != token and Client().get(reverse("surveys:respond", args=[rebuilt])).status_code == 200
        for pk, token in old_codes.items():
            assert Client().get(reverse("surveys:building", args=[token])).status_code == 200
            assert Client().get(reverse("surveys:building", args=[BuildingCode.objects.get(pk=pk).token])) \
                .status_code == 200
        first = min(old_links)
        done = Client().post(reverse("surveys:respond", args=[old_links[first]]), answers_for(campaign, 5))
        assert done.status_code == 200 and Response.objects.get().invitation_id == first
        assert 'data-state="used"' in Client().get(reverse("surveys:respond", args=[old_links[first]])) \
            .content.decode()

        rebuilt = {i.pk: i.token for i in Invitation.objects.all()}
        executor.loader.build_graph()
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        assert dict(old.get_model("surveys", "Invitation").objects.values_list("pk", "token")) == rebuilt
    finally:
        executor.loader.build_graph()
        executor.migrate(latest)
