"""A generated occupants workbook (Chinese headers, valid resident IDs, some bad rows) for the
test suite and bench/customers_import.py."""

from datetime import date, timedelta

from kefu.customers.identifiers import resident_id_check_char

HEADERS = ["姓名", "性别", "证件类型", "证件号码", "手机", "项目", "楼栋", "房号", "楼层", "关系", "入住日期"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
# Kinds of bad rows mixed in, in turn: each is rejected for exactly one reason.
BAD_KINDS = ["check_digit", "phone", "relation", "date", "name"]


def resident_id(i: int) -> str:
    born = date(1950, 1, 1) + timedelta(days=i % 20000)
    first17 = f"110101{born:%Y%m%d}{i // 20000 % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def occupant_rows(n: int, *, site: str = "S1", bad_every: int = 0):
    """Rows (without the header) and the set of spreadsheet row numbers made bad on purpose."""
    rows, bad = [], set()
    for i in range(n):
        unit = i // 2
        building = unit // 400 + 1
        floor = unit % 400 // 4 + 1
        code = f"{building}-{unit % 4 + 1}-{floor:02d}{unit % 4 + 1:02d}"
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
        row = [name, "男" if i % 2 else "女", "身份证", resident_id(i), f"139{i:08d}", site, str(building), code,
               floor, "业主" if i % 2 == 0 else "家属", (date(2020, 1, 1) + timedelta(days=i % 1500)).isoformat()]
        if bad_every and i % bad_every == bad_every - 1:
            kind = BAD_KINDS[(i // bad_every) % len(BAD_KINDS)]
            if kind == "check_digit":
                good = str(row[3])
                row[3] = good[:17] + ("0" if good[17] != "0" else "1")
            elif kind == "phone":
                row[4] = "1391234"
            elif kind == "relation":
                row[9] = "邻居"
            elif kind == "date":
                row[10] = "2026-13-45"
            else:
                row[0] = ""
            bad.add(i + 2)
        rows.append(row)
    return rows, bad


def occupants_xlsx(path, n: int, **kwargs) -> set[int]:
    """Write the workbook (write-only mode: constant memory); returns the bad row numbers."""
    from openpyxl import Workbook

    rows, bad = occupant_rows(n, **kwargs)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("住户")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return bad
