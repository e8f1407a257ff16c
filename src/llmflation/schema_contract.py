"""The schema contract: a checked-in snapshot of every published table's columns and types.

``schema_snapshot.json`` (beside this module) records, for :data:`llmflation.schema.SCHEMA_VERSION`,
each table's columns with their Arrow types and whether they may be null. A test compares it
with :data:`llmflation.schema.TABLES` and fails when a published column is added, removed,
renamed or retyped without a version bump. After changing a table:

1. bump ``SCHEMA_VERSION`` in ``src/llmflation/schema.py`` (major: a column removed, renamed or
   retyped; minor: a column or table added),
2. add an entry to ``SCHEMA_CHANGELOG.md``,
3. regenerate the snapshot: ``.venv/bin/python -m llmflation.schema_contract --write``.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from llmflation.schema import SCHEMA_VERSION, TABLES

log = logging.getLogger(__name__)

SNAPSHOT_PATH = Path(__file__).with_name("schema_snapshot.json")
REGENERATE = ".venv/bin/python -m llmflation.schema_contract --write"


def current_snapshot() -> dict[str, Any]:
    """Version and, per table, ``[name, arrow type, nullable]`` of every column, in order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tables": {
            name: [[c.name, str(c.type), not c.required] for c in spec.columns]
            for name, spec in sorted(TABLES.items())
        },
    }


def load_snapshot(path: Path = SNAPSHOT_PATH) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed between two snapshots' tables, one line each (empty when the tables agree)."""
    lines: list[str] = []
    old_tables, new_tables = old.get("tables", {}), new.get("tables", {})
    for name in sorted(set(old_tables) | set(new_tables)):
        if name not in new_tables:
            lines.append(f"table {name} removed")
            continue
        if name not in old_tables:
            lines.append(f"table {name} added")
            continue
        before = {c[0]: c[1:] for c in old_tables[name]}
        after = {c[0]: c[1:] for c in new_tables[name]}
        for column in before.keys() - after.keys():
            lines.append(f"{name}.{column} removed")
        for column in after.keys() - before.keys():
            lines.append(f"{name}.{column} added ({after[column][0]})")
        for column in before.keys() & after.keys():
            if before[column] != after[column]:
                lines.append(f"{name}.{column}: {_describe(before[column])} -> {_describe(after[column])}")
    return sorted(lines)


def _describe(entry: list[Any]) -> str:
    return f"{entry[0]}{'' if entry[1] else ' not null'}"


def write_snapshot(path: Path = SNAPSHOT_PATH) -> None:
    path.write_text(json.dumps(current_snapshot(), indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llmflation.schema_contract",
                                     description="Check or regenerate the published schema's snapshot.")
    parser.add_argument("--write", action="store_true", help="regenerate schema_snapshot.json from schema.py")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.write:
        write_snapshot()
        log.info("wrote %s (schema_version %s)", SNAPSHOT_PATH, SCHEMA_VERSION)
        return 0
    changed = differences(load_snapshot(), current_snapshot())
    for line in changed:
        log.info("%s", line)
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
