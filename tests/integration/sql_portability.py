"""Does compiled SQL run on BigQuery, Snowflake, Redshift, Spark and Databricks? A check with sqlglot.

The dbt project is compiled on DuckDB; each model's SQL is transpiled from DuckDB to the
warehouse's dialect and parsed back in it. A model fails when:
- sqlglot knows the construct has no equivalent there (it raises an UnsupportedError), or
- a function call in the transpiled SQL is not one the warehouse documents: every function name
  must be in that warehouse's list below. This is what catches an engine-only function: sqlglot
  passes a function it does not know through under its own name (an `Anonymous` node:
  `strip_accents`, `try_strptime`), and renders some it knows under a name the warehouse lacks
  (`JAROWINKLER_SIMILARITY` on BigQuery, `SPLIT_PART` on BigQuery, `LEVENSHTEIN` on Redshift).
  A new function is added to a list only after checking the warehouse's documentation; else the
  SQL gets an `adapter.dispatch` variant.
- a call has an argument the warehouse reads differently (a string flag where Snowflake and
  Redshift expect a position in REGEXP_REPLACE).

DuckDB-compiled SQL shows DuckDB's rendering of the macros that dispatch per engine. What those
macros render elsewhere is mirrored in `as_dispatched` (for the project's own macros) and
`HANDLED_BY_DBT` (dbt's cross-database macros, which each warehouse's adapter implements).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, UnsupportedError

DIALECTS = ("bigquery", "snowflake", "redshift", "spark", "databricks")

_COMMON = {
    # conditionals, casts and null handling
    "CAST",
    "COALESCE",
    "NULLIF",
    "GREATEST",
    "LEAST",
    # aggregates and windows
    "COUNT",
    "SUM",
    "MIN",
    "MAX",
    "AVG",
    "ROW_NUMBER",
    "RANK",
    "DENSE_RANK",
    "LAG",
    "LEAD",
    "FIRST_VALUE",
    "LAST_VALUE",
    "NTILE",
    # text
    "TRIM",
    "LTRIM",
    "RTRIM",
    "UPPER",
    "LOWER",
    "LENGTH",
    "REPLACE",
    "SUBSTRING",
    "SUBSTR",
    "CONCAT",
    "LPAD",
    "RPAD",
    "INITCAP",
    "REGEXP_REPLACE",
    "REGEXP_SUBSTR",
    "REGEXP_INSTR",
    "MD5",
    "LEFT",
    "RIGHT",
    "REVERSE",
    "ASCII",
    "CHR",
    "REPEAT",
    "TRANSLATE",
    # numbers and dates
    "ABS",
    "ROUND",
    "FLOOR",
    "CEIL",
    "MOD",
    "POWER",
    "SQRT",
    "EXTRACT",
    "DATE_TRUNC",
    "CURRENT_DATE",
    "CURRENT_TIMESTAMP",
}

# Functions each warehouse documents, as sqlglot writes them (upper case), beyond the common ones.
KNOWN_FUNCTIONS: dict[str, set[str]] = {
    "bigquery": _COMMON
    | {
        "IF",
        "IFNULL",
        "SAFE_CAST",
        "SPLIT",
        "STRPOS",
        "STARTS_WITH",
        "ENDS_WITH",
        "REGEXP_CONTAINS",
        "REGEXP_EXTRACT",
        "REGEXP_EXTRACT_ALL",
        "STRING_AGG",
        "ARRAY_AGG",
        "ARRAY_TO_STRING",
        "ARRAY_LENGTH",
        "TO_HEX",
        "SHA256",
        "FARM_FINGERPRINT",
        "EDIT_DISTANCE",
        "PARSE_DATE",
        "PARSE_TIMESTAMP",
        "SAFE.PARSE_DATE",
        "SAFE.PARSE_TIMESTAMP",
        "FORMAT_DATE",
        "FORMAT_TIMESTAMP",
        "DATE",
        "TIMESTAMP",
        "DATE_ADD",
        "DATE_SUB",
        "DATE_DIFF",
        "TIMESTAMP_TRUNC",
        "DATETIME_TRUNC",
        "TIMESTAMP_DIFF",
        "COUNTIF",
        "LOGICAL_OR",
        "LOGICAL_AND",
        "ANY_VALUE",
        "GENERATE_UUID",
        "CURRENT_DATETIME",
        "SAFE_DIVIDE",
        "DIV",
        "NORMALIZE",
        "CODE_POINTS_TO_STRING",
        "TO_CODE_POINTS",
        "UNNEST",
    },
    "snowflake": _COMMON
    | {
        "IFF",
        "NVL",
        "NVL2",
        "DECODE",
        "TRY_CAST",
        "SPLIT_PART",
        "SPLIT",
        "POSITION",
        "CHARINDEX",
        "STARTSWITH",
        "ENDSWITH",
        "CONTAINS",
        "REGEXP_LIKE",
        "REGEXP_COUNT",
        "RLIKE",
        "LISTAGG",
        "ARRAY_AGG",
        "ARRAY_TO_STRING",
        "ARRAY_SIZE",
        "ARRAY_CONSTRUCT",
        "SHA2",
        "HASH",
        "JAROWINKLER_SIMILARITY",
        "EDITDISTANCE",
        "TO_DATE",
        "TRY_TO_DATE",
        "TO_TIMESTAMP",
        "TRY_TO_TIMESTAMP",
        "TO_CHAR",
        "TO_VARCHAR",
        "DATE_PART",
        "DATEADD",
        "DATEDIFF",
        "DATE_FROM_PARTS",
        "COUNT_IF",
        "BOOLOR_AGG",
        "BOOLAND_AGG",
        "ANY_VALUE",
        "UUID_STRING",
        "DIV0",
        "CURRENT_TIMESTAMP",
        "SYSDATE",
        "FLATTEN",
        "CONCAT_WS",
    },
    "redshift": _COMMON
    | {
        "NVL",
        "NVL2",
        "DECODE",
        "SPLIT_PART",
        "POSITION",
        "STRPOS",
        "CHARINDEX",
        "BTRIM",
        "REGEXP_COUNT",
        "LISTAGG",
        "SHA2",
        "FNV_HASH",
        "TO_DATE",
        "TO_TIMESTAMP",
        "TO_CHAR",
        "DATE_PART",
        "DATEADD",
        "DATEDIFF",
        "GETDATE",
        "SYSDATE",
        "CONVERT_TIMEZONE",
        "BOOL_OR",
        "BOOL_AND",
        "ANY_VALUE",
        "ARRAY",
        "LEN",
        "CHAR_LENGTH",
        "CHARACTER_LENGTH",
    },
}

# Spark SQL's built-in functions (spark.apache.org/docs/3.5.x/sql-ref-functions-builtin.html);
# Databricks runs Spark SQL and adds its own (docs.databricks.com, SQL language reference).
_SPARK = _COMMON | {
    "IF",
    "IFNULL",
    "NVL",
    "NVL2",
    "CONCAT",
    "CONCAT_WS",
    "SPLIT",
    "SPLIT_PART",
    "ELEMENT_AT",
    "SUBSTRING",
    "SUBSTR",
    "LEFT",
    "RIGHT",
    "LPAD",
    "RPAD",
    "INSTR",
    "LOCATE",
    "POSITION",
    "TRANSLATE",
    "INITCAP",
    "REVERSE",
    "REPEAT",
    "BTRIM",
    "CHAR_LENGTH",
    "CHARACTER_LENGTH",
    "REGEXP_REPLACE",
    "REGEXP_EXTRACT",
    "REGEXP_LIKE",
    "RLIKE",
    "STARTSWITH",
    "ENDSWITH",
    "CONTAINS",
    "LEVENSHTEIN",
    "MD5",
    "SHA1",
    "SHA2",
    "HASH",
    "XXHASH64",
    "COLLECT_LIST",
    "COLLECT_SET",
    "ARRAY_AGG",
    "ARRAY",
    "ARRAY_JOIN",
    "ARRAY_SORT",
    "SORT_ARRAY",
    "ARRAY_CONTAINS",
    "ARRAY_DISTINCT",
    "SIZE",
    "STRUCT",
    "NAMED_STRUCT",
    "BOOL_OR",
    "BOOL_AND",
    "EVERY",
    "ANY_VALUE",
    "FIRST",
    "LAST",
    "COUNT_IF",
    "MAX_BY",
    "MIN_BY",
    "ABS",
    "ROUND",
    "FLOOR",
    "CEIL",
    "MOD",
    "POWER",
    "POW",
    "TRY_CAST",
    "TO_DATE",
    "TO_TIMESTAMP",
    "MAKE_DATE",
    "DATE_ADD",
    "DATE_SUB",
    "DATEDIFF",
    "DATE_FORMAT",
    "YEAR",
    "MONTH",
    "DAY",
    "NOW",
}
KNOWN_FUNCTIONS["spark"] = _SPARK
KNOWN_FUNCTIONS["databricks"] = _SPARK | {"STRING_AGG", "LISTAGG"}

# dbt cross-database macros (dbt.split_part, dbt.hash, ...) render on each warehouse through its
# adapter's own variant; on DuckDB they render DuckDB's. The function that DuckDB rendering shows
# is accepted on the warehouses listed, because the macro gives them their own SQL.
HANDLED_BY_DBT: dict[str, set[str]] = {
    "bigquery": {"SPLIT_PART"},  # dbt.split_part -> bigquery__split_part (split(...)[safe_offset(n)])
    # dbt.listagg -> the project's spark__listagg (leads/macros/cross_db/spark.sql): collect_list
    # sorted by the order keys, then array_join; Spark 3.5 has no listagg or string_agg
    "spark": {"LISTAGG"},
}


# Found by this check and open: each needs an adapter.dispatch variant in the model's macros before
# the project runs on that warehouse. A gap that no longer occurs fails the test, so the list
# shrinks as variants land; a new one fails it too.
KNOWN_GAPS: dict[tuple[str, str, str], str] = {
    (
        "int_source_records__versioned",
        "bigquery",
        "CONCAT_WS",
    ): "BigQuery has no concat_ws: array_to_string([...], sep)",
    ("int_source_snapshots__sequenced", "bigquery", "'NULLS LAST'"): "ordered string_agg: BigQuery sorts NULLs first",
    ("int_match_keys__hubs", "bigquery", "'NULLS LAST'"): "ordered string_agg: BigQuery sorts NULLs first",
    ("int_leads__merged", "bigquery", "'NULLS LAST'"): "ordered array_agg and string_agg: BigQuery sorts NULLs first",
    ("int_leads__merged", "redshift", "ARRAY_AGG"): "Redshift has no array_agg: listagg or a window",
}


def known_gap(problem: Problem) -> tuple[str, str, str] | None:
    return next(
        (
            key
            for key in KNOWN_GAPS
            if key[0] == problem.model and key[1] == problem.dialect and key[2] in problem.detail
        ),
        None,
    )


@dataclass(frozen=True)
class Problem:
    model: str
    dialect: str
    detail: str

    def __str__(self) -> str:
        return f"{self.model} on {self.dialect}: {self.detail}"


def _index(node: exp.Expression) -> int | None:
    """A bracket index as DuckDB wrote it (sqlglot keeps DuckDB's 1-based indexes 0-based)."""
    negative = isinstance(node, exp.Neg)
    literal = node.this if negative else node
    if not isinstance(literal, exp.Literal) or literal.is_string:
        return None
    return (-int(literal.this) if negative else int(literal.this)) + 1


def as_dispatched(tree: exp.Expression) -> exp.Expression:
    """DuckDB's rendering of dispatching macros, turned back into what they render elsewhere."""
    for node in list(tree.find_all(exp.Bracket)):
        # dbt.split_part: duckdb__split_part writes string_split(text, delimiter)[part]
        if isinstance(node.this, exp.Split) and len(node.expressions) == 1:
            part = _index(node.expressions[0])
            if part is not None:
                node.replace(
                    exp.SplitPart(
                        this=node.this.this, delimiter=node.this.expression, part_index=exp.Literal.number(part)
                    )
                )
    for node in list(tree.find_all(exp.RegexpReplace)):
        modifiers = node.args.get("modifiers")
        # leads.regex_replace_all: the 'g' flag is DuckDB's and PostgreSQL's; elsewhere every
        # match is replaced without it
        if isinstance(modifiers, exp.Literal) and modifiers.this == "g":
            node.set("modifiers", None)
    return tree


def function_name(node: exp.Func, dialect: str) -> str | None:
    """The name a function call is written with in `dialect` (None for syntax like CASE or x IS NULL)."""
    if isinstance(node, exp.Anonymous):
        return str(node.name).upper()
    match = re.match(r"([A-Za-z_][\w.]*)\s*\(", node.sql(dialect=dialect))
    return match.group(1).upper() if match else None


def _argument_problems(tree: exp.Expression, dialect: str) -> list[str]:
    found = []
    if dialect in ("snowflake", "redshift"):
        for node in tree.find_all(exp.RegexpReplace):
            position = node.args.get("position")
            if isinstance(position, exp.Literal) and position.is_string:
                found.append(
                    f"REGEXP_REPLACE's fourth argument is a position on {dialect}, not the flag "
                    f"{position.sql()}: use leads.regex_replace_all"
                )
    return found


def problems(model: str, sql: str, dialect: str, read: str = "duckdb") -> list[Problem]:
    """What keeps one compiled model from running on `dialect`."""
    try:
        source = [as_dispatched(statement) for statement in sqlglot.parse(sql, read=read) if statement]
        written = [statement.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE) for statement in source]
    except UnsupportedError as exc:
        return [Problem(model, dialect, f"no {dialect} equivalent: {str(exc).splitlines()[0]}")]
    except ParseError as exc:
        return [Problem(model, dialect, f"cannot parse the {read} SQL: {str(exc).splitlines()[0]}")]
    found: list[Problem] = []
    known = KNOWN_FUNCTIONS[dialect] | HANDLED_BY_DBT.get(dialect, set())
    for text in written:
        try:
            tree = sqlglot.parse_one(text, read=dialect)
        except ParseError as exc:
            found.append(Problem(model, dialect, f"{dialect} cannot parse its own SQL: {str(exc).splitlines()[0]}"))
            continue
        unknown = sorted(
            {
                name
                for node in tree.find_all(exp.Func)
                if (name := function_name(node, dialect)) is not None and name not in known
            }
        )
        found.extend(
            Problem(model, dialect, f"{name}(...) is not a {dialect} function; give it an adapter.dispatch variant")
            for name in unknown
        )
        found.extend(Problem(model, dialect, detail) for detail in _argument_problems(tree, dialect))
    return found
