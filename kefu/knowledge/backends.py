"""The n-gram index in SQL, per database: every raw statement of the search lives in this module.

PostgreSQL: `knowledge_workordersearch.grams` is a `tsvector` whose lexemes are the grams as they
are (`array_to_tsvector`, no parser, no stemming), with a GIN index; a query is a `tsquery` of
quoted lexemes (`'漏水' & '水管'`).

SQLite: the same column holds the grams as ASCII tokens (code points in hex, `g6f0fx6c34`), and an
FTS5 table (`tokenize='ascii'`, `detail='none'`: presence only) indexes them; triggers on the
table keep it in step with every INSERT, UPDATE and DELETE, so no write path (a bulk rebuild, a
cascade, a test's flush) can leave it stale. FTS5's own trigram tokenizer cannot answer one- or
two-character queries, the ones Chinese users type most.

Internal comments' grams are stored apart (a `!!` prefix on PostgreSQL — public grams are one or
two characters, so they never collide — and an `i` token prefix on SQLite), so roles that may not
read internal comments match only the public text, and others match either.
"""

from django.db import connection as default_connection
from django.db.models.expressions import RawSQL

from kefu.knowledge.text import Query, term_grams

TABLE = "knowledge_workordersearch"
FTS_TABLE = "knowledge_workordersearch_fts"
PG_INTERNAL = "!!"


# --- writing -------------------------------------------------------------------------------------

def _sqlite_token(gram: str, internal: bool) -> str:
    return ("i" if internal else "g") + "x".join(f"{ord(c):x}" for c in gram)


def grams_db_value(value, connection):
    """(public grams, internal grams) → the column's value: a list of lexemes for PostgreSQL's
    `array_to_tsvector(%s::text[])`, a string of tokens for SQLite. Internal grams that are also
    public are stored once (a public gram matches for every role)."""
    if not value:
        public, internal = set(), set()
    else:
        public, internal = value
    internal = set(internal) - set(public)
    if connection.vendor == "postgresql":
        return sorted(public) + sorted(PG_INTERNAL + g for g in internal)
    return " ".join([_sqlite_token(g, False) for g in sorted(public)]
                    + [_sqlite_token(g, True) for g in sorted(internal)])


# --- schema (migration 0001) -------------------------------------------------------------------

SQLITE_SCHEMA = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(grams, content='{TABLE}', content_rowid='work_order_id', "
    "tokenize='ascii', detail='none', columnsize=0)",
    f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, grams) VALUES (new.work_order_id, new.grams); END",
    f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, grams) VALUES ('delete', old.work_order_id, old.grams); END",
    f"CREATE TRIGGER {TABLE}_au AFTER UPDATE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, grams) VALUES ('delete', old.work_order_id, old.grams); "
    f"INSERT INTO {FTS_TABLE}(rowid, grams) VALUES (new.work_order_id, new.grams); END",
]
SQLITE_SCHEMA_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_ai", f"DROP TRIGGER IF EXISTS {TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {TABLE}_au", f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
PG_SCHEMA = [f"CREATE INDEX kn_wo_grams_gin ON {TABLE} USING gin (grams)"]
PG_SCHEMA_DROP = ["DROP INDEX IF EXISTS kn_wo_grams_gin"]


def install_schema(schema_editor) -> None:
    """The vendor's index structures. A later migration that makes Django rebuild the table on
    SQLite (most ALTERs do) drops its triggers: it must call `drop_schema` before and this after."""
    vendor = schema_editor.connection.vendor
    for sql in PG_SCHEMA if vendor == "postgresql" else SQLITE_SCHEMA if vendor == "sqlite" else []:
        schema_editor.execute(sql)


def drop_schema(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in PG_SCHEMA_DROP if vendor == "postgresql" else SQLITE_SCHEMA_DROP if vendor == "sqlite" else []:
        schema_editor.execute(sql)


# --- querying ------------------------------------------------------------------------------------

def _pg_lexeme(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _pg_tsquery(query: Query, internal: bool) -> str:
    parts = []
    for term in query.terms:
        for gram in term_grams(term):
            if internal:
                parts.append(f"({_pg_lexeme(gram)} | {_pg_lexeme(PG_INTERNAL + gram)})")
            else:
                parts.append(_pg_lexeme(gram))
    return " & ".join(parts)


def _fts_match(query: Query, internal: bool) -> str:
    parts = []
    for term in query.terms:
        for gram in term_grams(term):
            public = f'"{_sqlite_token(gram, False)}"'
            parts.append(f'({public} OR "{_sqlite_token(gram, True)}")' if internal else public)
    return " AND ".join(parts)


def _checks(query: Query, internal: bool, position: str) -> tuple[str, list]:
    """Substring checks of the terms longer than two characters over the stored text (the
    n-grams alone only prove the shorter ones)."""
    sql, params = [], []
    for term in query.terms:
        if len(term) <= 2:
            continue
        if internal:
            sql.append(f"({position}(s.text, %s) > 0 OR {position}(s.internal_text, %s) > 0)")
            params += [term, term]
        else:
            sql.append(f"{position}(s.text, %s) > 0")
            params.append(term)
    return "".join(" AND " + part for part in sql), params


def matching_ids_sql(query: Query, *, internal: bool, connection=None) -> tuple[str, list]:
    """SQL selecting the ids of the work orders whose indexed text matches every term (exactly:
    the n-gram lookup, then substring checks where the n-grams are only a superset)."""
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        checks, params = _checks(query, internal, "strpos")
        return (f"SELECT s.work_order_id FROM {TABLE} s WHERE s.grams @@ %s::tsquery{checks}",
                [_pg_tsquery(query, internal), *params])
    checks, params = _checks(query, internal, "instr")
    return (f"SELECT s.work_order_id FROM {FTS_TABLE} f JOIN {TABLE} s ON s.work_order_id = f.rowid "
            f"WHERE {FTS_TABLE} MATCH %s{checks}", [_fts_match(query, internal), *params])


def matching_ids(query: Query, *, internal: bool) -> RawSQL:
    """The same as an expression for `pk__in=` (combined with any other filter of the list)."""
    sql, params = matching_ids_sql(query, internal=internal)
    return RawSQL(sql, params)


def matching_ids_up_to(query: Query, *, internal: bool, limit: int) -> list[int] | None:
    """The ids of the matching orders (of all orders) when there are at most `limit`, else None:
    one index lookup that stops after `limit` + 1 rows."""
    sql, params = matching_ids_sql(query, internal=internal)
    with default_connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {int(limit) + 1}", params)
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) <= limit else None


def index_size_bytes(connection=None) -> dict:
    """Sizes of the index's table and its n-gram index (for bench/ and the rebuild command)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT pg_total_relation_size('{TABLE}'), pg_relation_size('kn_wo_grams_gin'), "
                           f"pg_relation_size('{TABLE}')")
            total, gin, heap = cursor.fetchone()
            return {"table_and_indexes": total, "grams_index": gin, "table": heap}
        cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE %s", [FTS_TABLE + "%"])
        fts = cursor.fetchone()[0]
        cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name = %s", [TABLE])
        heap = cursor.fetchone()[0]
        return {"table_and_indexes": (fts or 0) + (heap or 0), "grams_index": fts, "table": heap}
