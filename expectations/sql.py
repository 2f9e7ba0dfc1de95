"""The check queries are written in DuckDB's SQL; this turns the few DuckDB-only constructs they use into the
target's SQL, so the same query reads the same frame on PostgreSQL and Spark:

- `try_cast(<expr> as integer)`: PostgreSQL has no try_cast; a CASE casts only text that is an integer;
- `cast(... as double)`: PostgreSQL spells the type `double precision`;
- `regexp_replace(s, pattern, replacement, 'g')`: Spark replaces every match without (and refuses) the flag;
- backslashes in string literals: Spark reads `'\s'` as `s`, so they are doubled there;
- `cast(... as varchar)`: Spark wants a length; its unbounded text type is `string`.

Only these constructs are rewritten; a query using other DuckDB-only SQL fails on the target with the engine's
error naming it. The dbt models have dispatch macros for the same gaps (dbt_project/macros/portable.sql)."""

from __future__ import annotations

import re

from ingestion.common import LV_DIACRITICS, LV_PLAIN

_TRY_CAST_INT = re.compile(r"\btry_cast\s*\(", re.IGNORECASE)
_AS_DOUBLE = re.compile(r"\bas\s+double\s*\)", re.IGNORECASE)
_REGEXP_G = re.compile(r",\s*'g'\s*\)")
_LITERAL = re.compile(r"'(?:[^']|'')*'")
_AS_VARCHAR = re.compile(r"\bas\s+varchar\s*\)", re.IGNORECASE)


def fold_lv(expr: str) -> str:
    """Text folded as the dbt macro `fold_lv` folds it (dbt_project/macros/latvian_text.sql): lower case, no
    diacritics, single spaces, trimmed — in the check queries' SQL, so a check compares what the models compare.
    `translate`, `lower` and `trim` are the same on DuckDB, PostgreSQL and Spark; `regexp_replace(…, 'g')` is
    rewritten for Spark by for_target."""
    return f"trim(regexp_replace(translate(lower({expr}), '{LV_DIACRITICS}', '{LV_PLAIN.lower()}'), '\\s+', ' ', 'g'))"


def _balanced(sql: str, start: int) -> int:
    """Index just past the parenthesis that closes the one opened before `start`."""
    depth, i, quoted = 1, start, False
    while i < len(sql):
        ch = sql[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced parentheses in: {sql[start - 10:start + 60]!r}")


def _postgres_try_cast(sql: str) -> str:
    out, pos = [], 0
    for match in _TRY_CAST_INT.finditer(sql):
        if match.start() < pos:
            continue
        end = _balanced(sql, match.end())
        inner = sql[match.end():end - 1]
        m = re.fullmatch(r"(?is)\s*(.*?)\s+as\s+integer\s*", inner)
        if not m:
            raise ValueError(f"only try_cast(... as integer) is rewritten for PostgreSQL, not try_cast({inner})")
        text = f"trim(cast({m.group(1)} as text))"
        out += [sql[pos:match.start()],
                f"case when {text} ~ '^[+-]?[0-9]{{1,9}}$' then cast({text} as integer) end"]
        pos = end
    return "".join(out) + sql[pos:]


def for_target(sql: str, target: str) -> str:
    if target == "postgres":
        return _AS_DOUBLE.sub("as double precision)", _postgres_try_cast(sql))
    if target == "spark":
        sql = _AS_VARCHAR.sub("as string)", sql)
        return _LITERAL.sub(lambda m: m.group(0).replace("\\", "\\\\"), _REGEXP_G.sub(")", sql))
    return sql
