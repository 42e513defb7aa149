"""The import engine: checked rows → a plan of upserts on natural keys → bulk writes.

Natural keys: a customer by ID number, else by normalised phone (soft-deleted customers never
match: a row naming one is rejected); a unit or account by its code;
an occupancy by (customer, asset) and move-in date (else the open one). Everything the file
refers to is read in a few IN-queries, the plan is computed in memory, and the writes are a
handful of bulk INSERT/UPDATE statements in one transaction, so 100,000 rows take seconds and
the same file imported twice changes nothing the second time.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone

from kefu.customers.choices import AssetKind, AssetRelation
from kefu.customers.models import Asset, Building, Customer, CustomerAsset, CustomerPhone, Site
from kefu.customers.services import name_initials
from kefu.exchange.rows import Problem

CHUNK = 5000
CUSTOMER_FIELDS = {f.name for f in Customer._meta.concrete_fields}
# The customer fields an import row may set (those the customers app has, as it grows).
ROW_FIELDS = [f for f in ("name", "kind", "email", "gender", "id_type", "id_number", "notes") if f in CUSTOMER_FIELDS]
HAS_ID = "id_number" in CUSTOMER_FIELDS
HAS_ID_REVERSED = "id_number_reversed" in CUSTOMER_FIELDS
ASSET_FIELDS = {f.name for f in Asset._meta.concrete_fields}


@lru_cache(maxsize=65536)
def _initials(name: str) -> str:
    # pypinyin costs ~100 µs a name; names repeat (张伟 thousands of times in a large file).
    return name_initials(name)


def _derived(values: dict) -> dict:
    """The search columns the customers app derives from a name and an ID number."""
    out = {"name_initials": _initials(values["name"])} if "name" in values else {}
    if HAS_ID_REVERSED and "id_number" in values:
        out["id_number_reversed"] = values["id_number"][::-1]
    return out


def _matching(qs, field: str, values):
    """Querysets for `field IN values`, in as few queries as the database allows. PostgreSQL gets
    one array parameter (`= ANY(%s)`): binding 100,000 IN placeholders cost seconds."""
    values = list(values)
    if not values:
        return
    if connection.vendor == "postgresql":
        column = qs.model._meta.get_field(field).column
        table = qs.model._meta.db_table
        yield qs.extra(where=[f'"{table}"."{column}" = ANY(%s)'], params=[values])
        return
    for chunk in _chunks(values):
        yield qs.filter(**{f"{field}__in": chunk})


def _chunks(values):
    values = list(values)
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]


def _asset_keys(code: str) -> dict:
    """The lookup keys the customers app derives from an asset code (set by Asset.save, which
    bulk_create skips)."""
    if "code_key" not in ASSET_FIELDS:
        return {}
    from kefu.customers.codes import asset_code_key, asset_sort_key

    key = asset_code_key(code)
    return {"code_key": key, "code_key_reversed": key[::-1], "code_sort": asset_sort_key(code)}


@dataclass
class Plan:
    """What a file does to the database; `rejected` maps a row number to its problems."""

    rejected: dict[int, list[Problem]] = field(default_factory=dict)
    accepted_rows: int = 0
    customers: dict = field(default_factory=dict)   # ref → {"pk", "values", "orig", "new_phones", "row"}
    assets: dict = field(default_factory=dict)      # code → {"pk", "kind", "values", "orig"}
    buildings: dict = field(default_factory=dict)   # (site_id, code) → pk or None (new)
    links: dict = field(default_factory=dict)       # (ref, code) → {"pk", "values", "orig"}

    def counts(self) -> dict:
        c: dict[str, Counter] = {"customers": Counter(), "units": Counter(), "accounts": Counter(),
                                 "occupancies": Counter()}
        for cust in self.customers.values():
            c["customers"][_outcome(cust) if not cust["new_phones"] or cust["pk"] is None else "updated"] += 1
        for asset in self.assets.values():
            c["accounts" if asset["kind"] == AssetKind.ACCOUNT else "units"][_outcome(asset)] += 1
        for link in self.links.values():
            c["occupancies"][_outcome(link)] += 1
        out = {k: {o: v.get(o, 0) for o in ("created", "updated", "unchanged")} for k, v in c.items()}
        out["rows"] = {"accepted": self.accepted_rows, "rejected": len(self.rejected)}
        return out


def _outcome(item) -> str:
    if item["pk"] is None:
        return "created"
    return "updated" if item["values"] != item["orig"] else "unchanged"


class Planner:
    """Builds a Plan from checked rows (row number, clean values)."""

    def __init__(self, rows: list[tuple[int, dict]]):
        self.rows = rows
        self.plan = Plan()
        self._load()

    # -- reading what exists -----------------------------------------------------------------
    def _load(self):
        ids, phones, codes, sites = set(), set(), set(), set()
        for _row, v in self.rows:
            if v["id_number"]:
                ids.add(v["id_number"])
            phones.update(v["phones"])
            for key in ("unit", "account"):
                if v[key]:
                    codes.add(v[key])
            if v["site"]:
                sites.add(v["site"])
        self.site_ids = {}
        if sites:
            self.site_ids.update(Site.objects.filter(code__in=sites).values_list("code", "pk"))
            for name, pk in Site.objects.filter(name__in=sites).values_list("name", "pk"):
                self.site_ids.setdefault(name, pk)
        # Soft-deleted customers are never matched (they are hidden everywhere); their ID numbers
        # and phones are kept apart so that a row naming one is rejected, not turned into an
        # update of the deleted customer or a new copy of them (docs/customers.md).
        self.by_id: dict[str, int] = {}
        self.deleted_ids: set[str] = set()
        if HAS_ID and ids:
            for qs in _matching(Customer.objects.all(), "id_number", ids):
                for id_number, pk, deleted_at in qs.values_list("id_number", "pk", "deleted_at"):
                    if deleted_at is None:
                        self.by_id[id_number] = pk
                    else:
                        self.deleted_ids.add(id_number)
        self.phone_owners: dict[str, set[int]] = defaultdict(set)
        self.deleted_phones: set[str] = set()
        for qs in _matching(CustomerPhone.objects.all(), "number", phones):
            for number, pk, deleted_at in qs.values_list("number", "customer_id", "customer__deleted_at"):
                if deleted_at is None:
                    self.phone_owners[number].add(pk)
                else:
                    self.deleted_phones.add(number)
        cust_pks = set(self.by_id.values()) | {pk for owners in self.phone_owners.values() for pk in owners}
        self.db_customers: dict[int, dict] = {}
        self.db_phones: dict[int, set[str]] = defaultdict(set)
        for qs in _matching(Customer.objects.all(), "id", cust_pks):
            for row in qs.values("pk", *ROW_FIELDS):
                self.db_customers[row.pop("pk")] = row
        for qs in _matching(CustomerPhone.objects.all(), "customer", cust_pks):
            for pk, number in qs.values_list("customer_id", "number"):
                self.db_phones[pk].add(number)
        self.db_assets: dict[str, dict] = {}
        for qs in _matching(Asset.objects.all(), "code", codes):
            for row in qs.values("pk", "code", "kind", "site_id", "building_id", "floor"):
                self.db_assets[row["code"]] = row
        if "code_key" in ASSET_FIELDS:
            # A unit spelled another way ("3栋2单元1201" for "3-2-1201") is the same unit.
            from kefu.customers.codes import asset_code_key

            keys = {asset_code_key(c): c for c in codes if c not in self.db_assets}
            for qs in _matching(Asset.objects.all(), "code_key", keys):
                for row in qs.values("pk", "code", "code_key", "kind", "site_id", "building_id", "floor"):
                    self.db_assets.setdefault(keys[row.pop("code_key")], row)
        asset_pks = [a["pk"] for a in self.db_assets.values()]
        self.db_links: dict[tuple[int, int], list[dict]] = defaultdict(list)
        for qs in _matching(CustomerAsset.objects.all(), "asset", asset_pks):
            for row in qs.values("pk", "customer_id", "asset_id", "relation", "started_on", "ended_on").order_by("pk"):
                self.db_links[(row["customer_id"], row["asset_id"])].append(row)
        self.building_ids = {(s, c): pk for pk, s, c in Building.objects.filter(
            site_id__in=set(self.site_ids.values())).values_list("pk", "site_id", "code")}

    # -- planning ----------------------------------------------------------------------------
    def build(self) -> Plan:
        self.file_ids: dict[str, object] = {}
        self.file_phones: dict[str, object] = {}
        self.new_seq = 0
        for row, v in self.rows:
            problems = self._row(row, v)
            if problems:
                self.plan.rejected[row] = problems
            else:
                self.plan.accepted_rows += 1
        return self.plan

    def _customer_ref(self, row: int, v: dict) -> tuple[object, list[Problem]]:
        if v["id_number"]:
            if v["id_number"] in self.file_ids:
                return self.file_ids[v["id_number"]], []
            if v["id_number"] in self.by_id:
                return ("db", self.by_id[v["id_number"]]), []
            if v["id_number"] in self.deleted_ids:
                return None, [Problem("id_number", v["id_number"], "customer_deleted")]
        for number in v["phones"]:
            if number in self.file_phones:
                ref = self.file_phones[number]
                cust = self.plan.customers[ref]
                # A phone seen with another ID number in this file is another person's.
                if not v["id_number"] or not cust["values"].get("id_number"):
                    return ref, []
            owners = self.phone_owners.get(number, set())
            if len(owners) > 1 and not v["id_number"]:
                return None, [Problem("phone", number, "phone_shared")]
            if len(owners) == 1:
                pk = next(iter(owners))
                if not v["id_number"] or not self.db_customers.get(pk, {}).get("id_number"):
                    return ("db", pk), []
        if not v["id_number"]:
            # Only a deleted customer has this phone: the row is theirs, unless an ID number says
            # it is someone else (a recycled number), which then makes a new customer.
            deleted = next((n for n in v["phones"] if n in self.deleted_phones and not self.phone_owners.get(n)),
                           None)
            if deleted is not None:
                return None, [Problem("phone", deleted, "customer_deleted_phone")]
        return None, []

    def _row(self, row: int, v: dict) -> list[Problem]:
        problems: list[Problem] = []
        site_id = None
        if v["site"]:
            site_id = self.site_ids.get(v["site"])
            if site_id is None:
                problems.append(Problem("site", v["site"], "site"))
        ref = None
        if v["has_customer"]:
            ref, found = self._customer_ref(row, v)
            problems += found
            if ref is not None and ref in self.plan.customers:
                cust = self.plan.customers[ref]
                if cust["touched"] and cust["values"]["name"] != v["name"]:
                    problems.append(Problem("name", v["name"], "name_conflict",
                                            {"row": cust["row"], "name": cust["values"]["name"]}))
        for key in ("unit", "account"):
            code = v[key]
            existing = self.plan.assets.get(code) or self.db_assets.get(code)
            kind = AssetKind.UNIT if key == "unit" else AssetKind.ACCOUNT
            if code and existing and existing["kind"] != kind:
                problems.append(Problem(key, code, "choice", {"allowed": str(AssetKind(existing["kind"]).label)}))
        if problems:
            return problems
        # -- apply (nothing above changed the plan) --
        if v["has_customer"]:
            ref = self._apply_customer(row, v, ref)
        for key, kind in (("unit", AssetKind.UNIT), ("account", AssetKind.ACCOUNT)):
            if v[key]:
                self._apply_asset(v, v[key], kind, site_id)
                if ref is not None:
                    relation = v["relation"] or (AssetRelation.HOLDER if kind == AssetKind.ACCOUNT
                                                 else AssetRelation.OWNER)
                    self._apply_link(ref, v[key], relation, v["move_in"], v["move_out"])
        return []

    def _apply_customer(self, row: int, v: dict, ref):
        if ref is None:
            self.new_seq += 1
            ref = ("new", self.new_seq)
            self.plan.customers[ref] = {"pk": None, "values": {f: "" for f in ROW_FIELDS}, "orig": None,
                                        "new_phones": [], "raw": {}, "row": row, "touched": False}
        elif ref not in self.plan.customers:
            pk = ref[1]
            orig = dict(self.db_customers[pk])
            self.plan.customers[ref] = {"pk": pk, "values": dict(orig), "orig": orig, "new_phones": [],
                                        "raw": {}, "row": row, "touched": False}
        cust = self.plan.customers[ref]
        values = cust["values"]
        # Blank cells leave what is there: a monthly file without an email column erases nothing.
        for f in ROW_FIELDS:
            if f == "kind" or v.get(f):
                values[f] = v[f]
        if not cust["touched"]:
            cust["row"], cust["touched"] = row, True
        known = self.db_phones.get(cust["pk"], set()) if cust["pk"] else set()
        for number in v["phones"]:
            if number not in known and number not in cust["new_phones"]:
                cust["new_phones"].append(number)
                cust["raw"][number] = v["raw_phones"].get(number, "")
            self.file_phones.setdefault(number, ref)
        if v["id_number"]:
            self.file_ids.setdefault(v["id_number"], ref)
        return ref

    def _apply_asset(self, v: dict, code: str, kind: str, site_id):
        if code not in self.plan.assets:
            db = self.db_assets.get(code)
            if db:
                orig = {"site_id": db["site_id"], "building": ("id", db["building_id"]), "floor": db["floor"]}
                self.plan.assets[code] = {"pk": db["pk"], "kind": db["kind"], "values": dict(orig), "orig": orig}
            else:
                self.plan.assets[code] = {"pk": None, "kind": kind,
                                          "values": {"site_id": None, "building": ("id", None), "floor": None},
                                          "orig": None}
        values = self.plan.assets[code]["values"]
        if site_id:
            values["site_id"] = site_id
        if kind == AssetKind.UNIT:
            if v["building"] and values["site_id"]:
                key = (values["site_id"], v["building"])
                pk = self.building_ids.get(key)
                if pk is None:
                    self.plan.buildings.setdefault(key, None)
                    values["building"] = ("new", key)
                else:
                    values["building"] = ("id", pk)
            if v["floor"] is not None:
                values["floor"] = v["floor"]

    def _apply_link(self, ref, code: str, relation: str, move_in, move_out):
        key = (ref, code)
        if key not in self.plan.links:
            existing = None
            cust_pk, asset = self.plan.customers[ref]["pk"], self.plan.assets[code]
            if cust_pk and asset["pk"]:
                candidates = self.db_links.get((cust_pk, asset["pk"]), [])
                existing = next((c for c in candidates if move_in and c["started_on"] == move_in), None) or next(
                    (c for c in candidates if c["ended_on"] is None), None)
            if existing:
                orig = {"relation": existing["relation"], "started_on": existing["started_on"],
                        "ended_on": existing["ended_on"]}
                self.plan.links[key] = {"pk": existing["pk"], "values": dict(orig), "orig": orig}
            else:
                self.plan.links[key] = {"pk": None, "values": {"relation": relation, "started_on": None,
                                                               "ended_on": None}, "orig": None}
        values = self.plan.links[key]["values"]
        values["relation"] = relation
        if move_in:
            values["started_on"] = move_in
        if move_out:
            values["ended_on"] = move_out


# --- writing -----------------------------------------------------------------------------------------

def _copy_rows(table: str, columns: list[str], rows) -> None:
    with connection.cursor() as cursor:
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


def _tuples(objs, fields):
    """Column values for COPY. psycopg adapts plain Python values itself; only JSON needs the
    field's preparation (a Jsonb wrapper), and calling get_db_prep_save on every field of every
    row (through the connection proxy) cost more than the COPY."""
    from django.db import connections
    from django.db.models import JSONField

    conn = connections["default"]
    getters = [(f.attname, f if isinstance(f, JSONField) else None) for f in fields]
    for obj in objs:
        values = obj.__dict__
        yield tuple(values[name] if json is None else json.get_db_prep_save(values[name], conn)
                    for name, json in getters)


def _pg_copy_create(model, objs, default_user=None) -> None:
    """PostgreSQL: INSERT with COPY, ids drawn from the table's sequence first, and the
    simple-history rows ("+", who, when) written the same way. Django's bulk_create and
    simple-history's bulk path spent ~80 % of a 100,000-row import building and binding
    model instances; COPY streams plain tuples."""
    if not objs:
        return
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
    fields = meta.concrete_fields
    # auto_now(_add) values, as save() would set them: one instant for the whole import.
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = f.pre_save(objs[0], add=True)
            for obj in objs:
                obj.__dict__[f.attname] = value
    _copy_rows(meta.db_table, [f.column for f in fields], _tuples(objs, fields))
    if not hasattr(model, "history"):
        return
    history = model.history.model
    tracked = [f for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    now = timezone.now()
    user_id = default_user.pk if default_user is not None else None
    extra = {"history_date": now, "history_type": "+", "history_user_id": user_id, "history_change_reason": None}
    columns = [f.column for f in tracked] + list(extra)
    tail = tuple(extra.values())
    _copy_rows(history._meta.db_table, columns, (row + tail for row in _tuples(objs, tracked)))


class _Row:
    """A new row for COPY: the model's defaults plus its values, without a model instance
    (building 350,000 of them was the largest cost left in a 100,000-row import)."""

    @property
    def pk(self):
        return self.__dict__["id"]

    @pk.setter
    def pk(self, value):
        self.__dict__["id"] = value


_templates: dict = {}


def _new(model, **values):
    """A row to create: a model instance, or on PostgreSQL (COPY) a lighter `_Row`."""
    if connection.vendor != "postgresql" or model._meta.pk.attname != "id":
        return model(**values)
    template = _templates.get(model)
    if template is None:
        instance = model()
        template = _templates[model] = {f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields}
    row = _Row()
    row.__dict__.update(template)
    for key, value in values.items():
        row.__dict__[model._meta.get_field(key).attname if key not in template else key] = value
    return row


def _history_bulk_create(model, objs, default_user=None):
    """bulk_create, with simple-history rows when the model keeps history (one extra bulk INSERT)."""
    if connection.vendor == "postgresql":
        _pg_copy_create(model, objs, default_user=default_user)
        return objs
    if hasattr(model, "history") and objs:
        from simple_history.utils import bulk_create_with_history

        return bulk_create_with_history(objs, model, batch_size=2000, default_user=default_user)
    return model.objects.bulk_create(objs, batch_size=2000)


def _bulk_change(model, changes: dict[int, dict], default_user=None) -> None:
    """Apply {pk: {field: value}} with bulk UPDATEs. The rows are read first (one query per
    chunk): simple-history writes each changed row whole, and only changed rows are read."""
    if not changes:
        return
    fields = sorted({f for values in changes.values() for f in values})
    objs = []
    for chunk in _chunks(changes):
        for pk, obj in model.objects.in_bulk(chunk).items():
            for f, value in changes[pk].items():
                setattr(obj, f, value)
            objs.append(obj)
    if hasattr(model, "history"):
        from simple_history.utils import bulk_update_with_history

        bulk_update_with_history(objs, model, fields, batch_size=2000, default_user=default_user)
    else:
        model.objects.bulk_update(objs, fields, batch_size=2000)


@transaction.atomic
def write_plan(plan: Plan, *, actor_user) -> None:
    """Apply a plan: a handful of bulk statements in one transaction (all or nothing)."""
    hist = {"default_user": actor_user}
    # Buildings first: units point at them.
    new_buildings = [_new(Building, site_id=s, code=c, name=c) for (s, c) in plan.buildings]
    _history_bulk_create(Building, new_buildings)
    building_ids = {(b.site_id, b.code): b.pk for b in new_buildings}

    new_customers, changed_customers = [], {}
    for cust in plan.customers.values():
        values = cust["values"]
        if cust["pk"] is None:
            obj = _new(Customer, **values, **_derived(values))
            cust["obj"] = obj
            new_customers.append(obj)
        elif values != cust["orig"]:
            changes = {f: values[f] for f in ROW_FIELDS if values[f] != cust["orig"][f]}
            changes.update(_derived(changes))
            changed_customers[cust["pk"]] = changes
    _history_bulk_create(Customer, new_customers, **hist)
    _bulk_change(Customer, changed_customers, **hist)
    phones = []
    for cust in plan.customers.values():
        pk = cust["pk"] or cust["obj"].pk
        for i, number in enumerate(cust["new_phones"]):
            phones.append(_new(CustomerPhone, customer_id=pk, number=number, number_reversed=number[::-1],
                                        raw=cust["raw"].get(number, "")[:40], is_primary=cust["pk"] is None and i == 0))
    _history_bulk_create(CustomerPhone, phones, **hist)

    new_assets, changed_assets = [], {}
    for code, asset in plan.assets.items():
        values = asset["values"]
        kind_of, ref = values["building"]
        building_id = building_ids[ref] if kind_of == "new" else ref
        if asset["pk"] is None:
            obj = _new(Asset, kind=asset["kind"], code=code, site_id=values["site_id"], building_id=building_id,
                        floor=values["floor"], **_asset_keys(code))
            asset["obj"] = obj
            new_assets.append(obj)
        elif values != asset["orig"]:
            changed_assets[asset["pk"]] = {"site_id": values["site_id"], "building_id": building_id,
                                           "floor": values["floor"]}
    _history_bulk_create(Asset, new_assets, **hist)
    _bulk_change(Asset, changed_assets, **hist)

    new_links, changed_links = [], {}
    for (ref, code), link in plan.links.items():
        cust, asset = plan.customers[ref], plan.assets[code]
        if link["pk"] is None:
            new_links.append(_new(CustomerAsset, customer_id=cust["pk"] or cust["obj"].pk,
                                           asset_id=asset["pk"] or asset["obj"].pk, **link["values"]))
        elif link["values"] != link["orig"]:
            changed_links[link["pk"]] = link["values"]
    _history_bulk_create(CustomerAsset, new_links, **hist)
    _bulk_change(CustomerAsset, changed_links, **hist)
