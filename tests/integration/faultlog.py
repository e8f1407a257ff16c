"""What the fault-injection suite did, summed over the session and printed at its end.

Tests record the faults they inject and the runs they complete, and check every release and
the raw store after each fault; ``releases corrupted`` and ``captures lost`` must stay 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from llmflation.fetch.rawstore import RawStore


@dataclass
class FaultLog:
    faults_injected: int = 0
    runs_completed: int = 0
    releases_checked: int = 0
    releases_corrupted: int = 0
    captures_lost: int = 0
    problems: list[str] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)

    def fault(self, kind: str, n: int = 1) -> None:
        self.faults_injected += n
        self.kinds[kind] = self.kinds.get(kind, 0) + n

    def check_releases(self, published_dir: Path) -> list[str]:
        """``latest`` (when present) and every release folder are complete and readable."""
        found = []
        latest = published_dir / "latest"
        if latest.is_symlink() and not latest.exists():
            found.append(f"{latest} points at a missing release")
        for folder in sorted(p for p in published_dir.iterdir() if p.is_dir() and not p.name.startswith(".")) \
                if published_dir.exists() else []:
            if folder.is_symlink():
                continue
            self.releases_checked += 1
            found.extend(release_problems(folder))
        self.releases_corrupted += len({p.split(":")[0] for p in found})
        self.problems.extend(found)
        return found

    def check_store(self, raw_dir: Path, expected_capture_ids: set[str] = frozenset()) -> list[str]:
        """Every manifest entry has its bytes, and every capture reported stored is there."""
        store = RawStore(raw_dir)
        found = store.verify()
        present = {m.capture_id for m in store.captures()}
        found += [f"capture {cid} was reported stored but is not in the store" for cid in sorted(expected_capture_ids - present)]
        self.captures_lost += len(found)
        self.problems.extend(found)
        return found

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items()))
        return (f"faults injected: {self.faults_injected} ({kinds}); runs completed: {self.runs_completed}; "
                f"releases checked: {self.releases_checked}; releases corrupted: {self.releases_corrupted}; "
                f"captures lost: {self.captures_lost}")


def release_problems(folder: Path) -> list[str]:
    """Why a release folder is not a complete release (empty when it is one)."""
    try:
        manifest = json.loads((folder / "release.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{folder}: no readable release.json ({exc})"]
    problems = []
    for name in manifest.get("tables", []):
        try:
            pq.read_table(folder / f"{name}.parquet")
        except (OSError, ValueError) as exc:
            problems.append(f"{folder}: table {name} unreadable ({exc})")
    for extra in ("datapackage.json", "run_report.json"):
        try:
            json.loads((folder / extra).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{folder}: {extra} unreadable ({exc})")
    return problems


FAULTS = FaultLog()
