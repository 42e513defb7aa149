"""Reading customer spreadsheets: columns, header recognition and the check of one row.

Pure Python (no database): a file becomes rows of cell values, a header becomes a mapping
{column index: target field}, a row becomes a clean dict or a list of problems. The database
side (natural keys, upserts) is in `services.py`.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import pgettext, pgettext_lazy

from kefu.customers.choices import AssetRelation, CustomerKind
from kefu.customers.identifiers import (
    clean_identifier,
    is_cn_mobile_shape,
    is_valid_cn_mobile,
    resident_id_problem,
)
from kefu.customers.phones import normalize_phone


@dataclass(frozen=True)
class Target:
    key: str
    label: object
    aliases: tuple[str, ...]


# The target fields a column can map to, with the headers (Chinese and English, compared without
# spaces and case) that map to them automatically.
TARGETS = [
    Target("name", pgettext_lazy("import", "Name"), ("姓名", "客户姓名", "客户名称", "业主姓名", "名称", "住户姓名",
                                                     "name", "customer", "customername")),
    Target("kind", pgettext_lazy("import", "Customer kind"), ("客户类型", "类型", "kind", "customerkind")),
    Target("phone", pgettext_lazy("import", "Phone"), ("手机", "电话", "手机号", "手机号码", "联系电话", "电话号码",
                                                       "手机/电话", "phone", "mobile", "tel")),
    Target("phone2", pgettext_lazy("import", "Other phone"), ("备用电话", "其他电话", "固定电话", "phone2",
                                                              "otherphone")),
    Target("id_type", pgettext_lazy("import", "ID type"), ("证件类型", "idtype")),
    Target("id_number", pgettext_lazy("import", "ID number"), ("证件号码", "证件号", "身份证号", "身份证号码",
                                                               "idnumber", "id")),
    Target("gender", pgettext_lazy("import", "Gender"), ("性别", "gender", "sex")),
    Target("email", pgettext_lazy("import", "Email"), ("邮箱", "电子邮件", "电子邮箱", "email", "e-mail")),
    Target("site", pgettext_lazy("import", "Site"), ("项目", "小区", "项目编号", "小区编号", "site", "sitecode")),
    Target("building", pgettext_lazy("import", "Building"), ("楼栋", "楼号", "栋", "楼栋编号", "building")),
    Target("unit", pgettext_lazy("import", "Unit code"), ("房号", "单元编号", "房屋编号", "房间号", "房屋", "unit",
                                                          "unitcode")),
    Target("floor", pgettext_lazy("import", "Floor"), ("楼层", "floor")),
    Target("relation", pgettext_lazy("import", "Relation"), ("关系", "身份", "与房屋关系", "住户类型", "relation")),
    Target("move_in", pgettext_lazy("import", "Move-in date"), ("入住日期", "入住时间", "迁入日期", "movein",
                                                                "moveindate")),
    Target("move_out", pgettext_lazy("import", "Move-out date"), ("迁出日期", "搬离日期", "moveout",
                                                                  "moveoutdate")),
    Target("account", pgettext_lazy("import", "Account number"), ("账号", "账户", "服务账号", "账户号码", "account",
                                                                  "accountnumber")),
    Target("notes", pgettext_lazy("import", "Notes"), ("备注", "notes", "remark")),
]
TARGET_KEYS = [t.key for t in TARGETS]
TARGET_LABELS = {t.key: t.label for t in TARGETS}
_ALIASES = {a: t.key for t in TARGETS for a in t.aliases}


def _header_key(text) -> str:
    return re.sub(r"[\s_\-*（）()：:]", "", str(text or "")).lower()


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """{column index: target} for the headers recognised; each target used at most once."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for i, header in enumerate(headers):
        target = _ALIASES.get(_header_key(header))
        if target and target not in used:
            mapping[str(i)] = target
            used.add(target)
    return mapping


# --- reading files ---------------------------------------------------------------------------------

class UnreadableFile(Exception):
    pass


def read_rows(fileobj, name: str):
    """(headers, iterator of row tuples, approximate row count) of an xlsx or CSV file."""
    lower = name.lower()
    if lower.endswith(".csv"):
        return _read_csv(fileobj)
    if lower.endswith(".xlsx"):
        return _read_xlsx(fileobj)
    raise UnreadableFile(pgettext("import", "Only .xlsx and .csv files can be imported."))


def _read_csv(fileobj):
    raw = fileobj.read()
    # Excel in China saves CSV as GBK; everything else as UTF-8 (often with a BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise UnreadableFile(pgettext("import", "The file is not UTF-8 or GBK text."))
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise UnreadableFile(pgettext("import", "The file is empty."))
    return [str(h).strip() for h in rows[0]], iter(rows[1:]), len(rows) - 1


def _read_xlsx(fileobj):
    """The first sheet through python-calamine (Rust's calamine): openpyxl's read-only mode spent
    ~4 s per 10,000 rows, most of the 60 s budget of a 100,000-row file."""
    from python_calamine import CalamineWorkbook

    try:
        fileobj.seek(0)
        sheet = CalamineWorkbook.from_filelike(fileobj).get_sheet_by_index(0)
        rows = sheet.iter_rows()
        headers = next(rows, None)
    except Exception as exc:  # calamine raises its own error types for a file that is not a workbook
        raise UnreadableFile(pgettext("import", "The file is not a readable .xlsx workbook.")) from exc
    if headers is None:
        raise UnreadableFile(pgettext("import", "The file is empty."))
    total = max(0, sheet.height - 1)
    return [str(h).strip() if h not in (None, "") else "" for h in headers], (_cells(r) for r in rows), total


def _cells(row: list) -> tuple:
    """Values as openpyxl gives them: a whole number is an int (an xlsx stores every number as a
    float, and a phone number typed as a number must not become "13800138000.0"); an empty cell is
    None; a date-time at midnight of a date-formatted cell stays a datetime."""
    out = []
    for value in row:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif value == "":
            value = None
        out.append(value)
    return tuple(out)


# --- checking one row --------------------------------------------------------------------------------

# Reason codes → messages, translated when shown (the report follows the reader's language).
REASONS = {
    "required": pgettext_lazy("import", "Required."),
    "no_key": pgettext_lazy("import", "Needs an ID number or a phone number to match the customer."),
    "phone": pgettext_lazy("import", "Not a valid phone number."),
    "mobile": pgettext_lazy("import", "Not a valid mobile number (11 digits starting 13–19)."),
    "id_format": pgettext_lazy("import", "A resident ID number has 17 digits and a check digit or X."),
    "id_birth_date": pgettext_lazy("import", "The birth date in the resident ID number is impossible."),
    "id_check_digit": pgettext_lazy("import", "The check digit of the resident ID number is wrong."),
    "choice": pgettext_lazy("import", "Unknown value; allowed: %(allowed)s."),
    "date": pgettext_lazy("import", "Not a date (use 2026-03-01)."),
    "number": pgettext_lazy("import", "Not a whole number."),
    "email": pgettext_lazy("import", "Not a valid email address."),
    "site": pgettext_lazy("import", "No site with this code or name."),
    "unit_needed": pgettext_lazy("import", "A relation or move-in date needs a unit code or account number."),
    "name_conflict": pgettext_lazy("import", "Row %(row)s gives this customer the name %(name)s."),
    "phone_shared": pgettext_lazy("import", "This phone number belongs to several customers; give the ID number."),
    "customer_deleted": pgettext_lazy("import", "A deleted customer has this ID number: the row is not imported, so "
                                                "the deletion stands. Remove the row from the file, or, if the "
                                                "customer was deleted by mistake, restore them on the Deleted "
                                                "customers page and import again."),
    "customer_deleted_phone": pgettext_lazy("import", "A deleted customer has this phone number: the row is not "
                                                      "imported. If this is someone else, add their ID number."),
    "too_long": pgettext_lazy("import", "Longer than %(max)s characters."),
}


def reason_text(code: str, params: dict | None = None) -> str:
    message = str(REASONS.get(code, code))
    try:
        return message % (params or {}) if params else message
    except (KeyError, TypeError, ValueError):
        return message


@dataclass
class Problem:
    column: str  # target key
    value: str
    code: str
    params: dict = field(default_factory=dict)


_KINDS = {"个人": CustomerKind.PERSON, "person": CustomerKind.PERSON, "单位": CustomerKind.ORGANISATION,
          "企业": CustomerKind.ORGANISATION, "公司": CustomerKind.ORGANISATION,
          "organisation": CustomerKind.ORGANISATION, "organization": CustomerKind.ORGANISATION}
_GENDERS = {"男": "male", "m": "male", "male": "male", "女": "female", "f": "female", "female": "female"}
_ID_TYPES = {"身份证": "resident_id", "居民身份证": "resident_id", "residentid": "resident_id",
             "护照": "passport", "passport": "passport", "港澳通行证": "hk_macao",
             "港澳居民来往内地通行证": "hk_macao", "台胞证": "taiwan", "台湾居民来往大陆通行证": "taiwan",
             "外国人永久居留身份证": "foreign_permanent", "永居证": "foreign_permanent", "其他": "other",
             "other": "other"}
_RELATIONS = {"业主": AssetRelation.OWNER, "产权人": AssetRelation.OWNER, "owner": AssetRelation.OWNER,
              "租户": AssetRelation.TENANT, "tenant": AssetRelation.TENANT, "家属": AssetRelation.FAMILY,
              "家庭成员": AssetRelation.FAMILY, "family": AssetRelation.FAMILY,
              "联系人": AssetRelation.CONTACT, "公司联系人": AssetRelation.CONTACT, "contact": AssetRelation.CONTACT,
              "户主": AssetRelation.HOLDER, "账户持有人": AssetRelation.HOLDER, "holder": AssetRelation.HOLDER}
if "authorised" in AssetRelation.values:
    _RELATIONS.update({"授权亲属": AssetRelation("authorised"), "授权人": AssetRelation("authorised"), "authorised": AssetRelation("authorised")})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DIGITS = re.compile(r"\D+")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # numbers typed into Excel cells: 13800138000.0 → "13800138000"
    return str(value).strip()


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    m = _DATE.match(text)
    if not m:
        raise ValueError(text)
    return date(int(m[1]), int(m[2]), int(m[3]))


def _phone(raw: str) -> str | None:
    """Normalised number, or None when it is not one. 11-digit mobiles skip libphonenumber, which
    costs ~30 µs a call (seconds on a 100,000-row file)."""
    if len(raw) == 11 and raw.isdigit() and raw[0] == "1":
        return raw
    number = normalize_phone(raw)
    if not number or len(number.lstrip("+")) < 5 or len(number) > 32:
        return None
    return number


_choice_tables: dict[type, dict[str, str]] = {}
_choice_memo: dict[tuple, str | None] = {}


def _choice(value: str, table: dict, choices_class) -> str | None:
    """A cell's choice value: a Chinese/English synonym, the stored value or the label in any of
    the site's languages. Cells repeat ("业主" 50,000 times), so answers are memoised."""
    memo_key = (choices_class, value)
    if memo_key in _choice_memo:
        return _choice_memo[memo_key]
    lookup = _choice_tables.get(choices_class)
    if lookup is None:
        from django.conf import settings
        from django.utils.translation import override

        lookup = {}
        for language, _name in settings.LANGUAGES:
            with override(language):
                for v, label in choices_class.choices:
                    lookup[_header_key(label)] = v
        lookup.update({_header_key(v): v for v in choices_class.values})
        lookup.update(table)
        lookup.pop("", None)
        _choice_tables[choices_class] = lookup
    result = lookup.get(_header_key(value))
    if len(_choice_memo) < 10_000:
        _choice_memo[memo_key] = result
    return result


def check_row(values: dict) -> tuple[dict, list[Problem]]:
    """One row's cells {target: raw cell} → (clean values, problems). Clean values use the
    customers app's stored forms (normalised phones, cleaned ID numbers, choice values)."""
    from kefu.customers.choices import Gender, IdType

    t = {k: _text(v) for k, v in values.items()}
    out: dict = {}
    problems: list[Problem] = []
    for key, max_len in (("name", 100), ("unit", 64), ("account", 64), ("email", 254), ("building", 32),
                         ("site", 100)):
        if len(t.get(key, "")) > max_len:
            problems.append(Problem(key, t[key][:200], "too_long", {"max": max_len}))
            t[key] = ""
    out["name"] = t.get("name", "")
    out["notes"] = t.get("notes", "")
    out["kind"] = CustomerKind.PERSON
    if t.get("kind"):
        kind = _choice(t["kind"], _KINDS, CustomerKind)
        if kind is None:
            problems.append(Problem("kind", t["kind"], "choice", {"allowed": "个人, 单位"}))
        out["kind"] = kind or CustomerKind.PERSON
    phones = []
    for key in ("phone", "phone2"):
        raw = t.get(key, "")
        if not raw:
            continue
        number = _phone(raw)
        if number is None:
            problems.append(Problem(key, raw, "phone"))
        elif (is_cn_mobile_shape(number) and not is_valid_cn_mobile(number)) or (
                number[0] == "1" and len(number) != 11):
            # Chinese numbers starting with 1 (after normalisation) are mobiles: exactly 11 digits.
            problems.append(Problem(key, raw, "mobile"))
        elif number not in phones:
            phones.append(number)
    out["phones"] = phones
    out["raw_phones"] = {n: t.get(k, "") for k, n in zip(("phone", "phone2"), phones, strict=False)}
    id_number = clean_identifier(t.get("id_number", ""))
    id_type = ""
    if t.get("id_type"):
        id_type = _choice(t["id_type"], _ID_TYPES, IdType) or ""
        if not id_type:
            problems.append(Problem("id_type", t["id_type"], "choice", {"allowed": "身份证, 护照, 港澳通行证, 其他"}))
    elif id_number:
        id_type = "resident_id" if len(id_number) == 18 else "other"
    if id_number and id_type == "resident_id":
        problem = resident_id_problem(id_number)
        if problem:
            problems.append(Problem("id_number", t["id_number"], f"id_{problem}"))
    out["id_number"], out["id_type"] = id_number, id_type if id_number else ""
    out["gender"] = ""
    if t.get("gender"):
        gender = _choice(t["gender"], _GENDERS, Gender)
        if gender is None:
            problems.append(Problem("gender", t["gender"], "choice", {"allowed": "男, 女"}))
        out["gender"] = gender or ""
    out["email"] = t.get("email", "")
    if out["email"] and not _EMAIL.match(out["email"]):
        problems.append(Problem("email", out["email"], "email"))
    out["site"], out["building"], out["unit"], out["account"] = (t.get(k, "") for k in ("site", "building", "unit",
                                                                                      "account"))
    out["floor"] = None
    if t.get("floor"):
        floor = t["floor"].removesuffix("层").removesuffix("F").removesuffix("f")
        if re.fullmatch(r"-?\d{1,3}", floor):
            out["floor"] = int(floor)
        else:
            problems.append(Problem("floor", t["floor"], "number"))
    out["relation"] = ""
    if t.get("relation"):
        relation = _choice(t["relation"], _RELATIONS, AssetRelation)
        if relation is None:
            problems.append(Problem("relation", t["relation"], "choice", {"allowed": "业主, 租户, 家属, 联系人"}))
        out["relation"] = relation or ""
    for key in ("move_in", "move_out"):
        out[key] = None
        raw = values.get(key)  # type: ignore[assignment]  # not None on this path (set or checked before)
        if raw not in (None, ""):
            try:
                out[key] = _date(raw)
            except ValueError:
                problems.append(Problem(key, _text(raw), "date"))
    has_customer = bool(out["name"] or phones or id_number)
    if has_customer:
        if not out["name"]:
            problems.append(Problem("name", "", "required"))
        if not phones and not id_number and not any(p.column in ("phone", "phone2", "id_number") for p in problems):
            problems.append(Problem("phone", "", "no_key"))
    elif not out["unit"] and not out["account"]:
        problems.append(Problem("name", "", "required"))
    if (out["relation"] or out["move_in"]) and not (out["unit"] or out["account"]):
        problems.append(Problem("unit", "", "unit_needed"))
    out["has_customer"] = has_customer
    return out, problems
