"""Where SQL lives.

The import rules between layers are import-linter contracts (pyproject.toml,
[tool.importlinter]), run by `make lint` before the suite. What no import graph shows
is checked here: SQL text is written only under server/db.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The start of a statement, as Salon writes them (keywords in capitals).
SQL = re.compile(
    r"^\s*(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|WITH \w+ AS|CREATE|DROP|ALTER"
    r"|TRUNCATE|LISTEN|NOTIFY|COPY)\b"
)


def sql_lines(path: Path) -> list[int]:
    """The lines of the string literals (f-string parts too) in `path` that start a
    statement."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value)
    )


def test_sql_is_written_only_under_server_db() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for folder in ("server", "schema", "workers")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if not path.is_relative_to(ROOT / "server" / "db")
        for line in sql_lines(path)
    ]
    assert offenders == []


def test_the_scan_sees_statements_and_only_statements(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        'a = "SELECT pg_try_advisory_lock($1)"\n'
        'b = f"""UPDATE notice SET published_at = {now}"""\n'
        "c = f'CREATE DATABASE \"{name}\"'\n"
        'd = "  WITH due AS (SELECT 1) SELECT * FROM due"\n'
        'e = "Create the person or add to an existing one"\n'
        'f = "Select a session first."\n'
        '"""A docstring that mentions DELETE FROM, not at its start."""\n',
        encoding="utf-8",
    )
    assert sql_lines(source) == [1, 2, 3, 4]
