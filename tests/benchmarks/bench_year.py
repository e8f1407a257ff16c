"""Benchmark: a year of nights. What a cold full build, a no-op night and a one-change night cost.

Run on demand (not part of the test suite): ``make bench-year`` or
``.venv/bin/python -m tests.benchmarks.bench_year [--nights 30,365]``.

It fills a temporary raw store night after night the way ``llmflation run`` does: the corpus'
newest litellm table, genai-prices table and OpenRouter model list, plus one OpenRouter endpoints
list per model the list leads to (``openrouter.endpoint_urls``; each list made from that model's
price in the model list, served by three providers). Every 30 nights each table gets a new
version: a few prices edited (a different few each month), and the endpoints lists of the edited
models change with them. At each checkpoint (30 and 365 nights by default) it measures, each in a
fresh process as a user meets them with ``llmflation build --no-publish``:

- **cold**: a full build with no parse cache, raw index or build state (``build --full``);
- **no-op night**: one more night identical to the last, then a build;
- **one-change night**: one more night in which only the litellm table changed, then a build;

each as build + validate + analyze, with the peak resident memory of the build process (parse
workers, during a cold build, are separate processes that each hold one capture and its records).
The two incremental nights are each built ``--repeat`` times (default 3) from the same build
state, and the median is reported with every run's time: the machine is shared.
Prints one JSON object per checkpoint.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from llmflation.parsers.openrouter import endpoint_urls
from llmflation.fetch.rawstore import RawStore
from tests.conftest import corpus_root

MODELS_URL = "https://openrouter.ai/api/v1/models"
LITELLM_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
GENAI_URL = "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json"
PROVIDERS = (("DeepInfra", Decimal("0.9"), "fp8"), ("Together", Decimal("1"), "bf16"), ("Novita", Decimal("1.1"), "unknown"))
#: The price fields a monthly edit touches, per table.
EDITED_FIELDS = {"litellm": "input_cost_per_token", "genai_prices": "input_mtok", "openrouter": "prompt"}


def newest(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))  # names start with their date
    if not found:
        raise FileNotFoundError(f"no {pattern} in {folder}")
    return found[-1]


def edit_prices(doc: object, field: str, month: int, every: int) -> int:
    """Scale every ``every``-th ``field`` value (offset by ``month``) by ``1 - month/50``; how many were edited."""
    factor = Decimal(1) - Decimal(month) / 50
    seen = edited = 0
    stack = [doc]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            if key == field and isinstance(value, (int, float, str)) and not isinstance(value, bool):
                seen += 1
                if (seen + month) % every == 0 and month:
                    try:
                        scaled = Decimal(str(value)) * factor
                    except ArithmeticError:
                        continue
                    node[key] = str(scaled) if isinstance(value, str) else float(scaled)  # type: ignore[index]
                    edited += 1
            elif isinstance(value, (dict, list)):
                stack.append(value)
    return edited


class Tables:
    """The bytes each night captures, with a new version of each table every 30 nights."""

    def __init__(self, corpus: Path, start: datetime) -> None:
        self.start = start
        prices = corpus / "prices"
        self.base = {
            "litellm": newest(prices / "litellm", "litellm_*.json").read_bytes(),
            "genai_prices": newest(prices / "genai-prices", "data_*.json").read_bytes(),
            "openrouter": max((p for d in ("openrouter-api", "openrouter-api-raw") for p in (prices / d).glob("openrouter_models_*.json")),
                              key=lambda p: p.name.split("_")[2]).read_bytes(),
        }
        self._cache: dict[tuple[str, int], bytes] = {}

    def table(self, source_id: str, month: int) -> bytes:
        key = (source_id, month)
        if key not in self._cache:
            if month == 0:
                self._cache[key] = self.base[source_id]
            else:
                doc = json.loads(self.base[source_id])
                edit_prices(doc, EDITED_FIELDS[source_id], month, every=10 if source_id == "openrouter" else 50)
                self._cache[key] = json.dumps(doc).encode()
        return self._cache[key]

    def endpoints(self, month: int) -> dict[str, bytes]:
        """One endpoints list per model the month's model list leads to, priced from that list."""
        key = ("endpoints", month)
        if key not in self._cache:
            body = self.table("openrouter", month)
            models = {m["id"]: m for m in json.loads(body)["data"]}
            lists = {}
            for url in endpoint_urls(body, MODELS_URL):
                model_id = url.removeprefix(MODELS_URL + "/").removesuffix("/endpoints")
                model = models.get(model_id)
                if model is None:
                    continue
                pricing = model["pricing"]
                lists[url] = json.dumps({"data": {"id": model_id, "name": model.get("name"), "endpoints": [
                    {"provider_name": name, "quantization": quantization, "context_length": model.get("context_length"),
                     "pricing": {"prompt": str(Decimal(pricing["prompt"]) * scale),
                                 "completion": str(Decimal(pricing["completion"]) * scale)}}
                    for name, scale, quantization in PROVIDERS]}}).encode()
            self._cache[key] = json.dumps({u: b.decode() for u, b in lists.items()}).encode()
        return {u: b.encode() for u, b in json.loads(self._cache[key]).items()}


def first_night(nights: int) -> datetime:
    """03:00 UTC far enough back that the last night measured is in the past (the release holds out
    prices observed in the future)."""
    today = datetime.now(UTC).replace(hour=3, minute=0, second=0, microsecond=0)
    return today - timedelta(days=nights + 3)


def store_night(store: RawStore, tables: Tables, night: int, month: int, litellm_month: int | None = None) -> int:
    """Store one night's captures (the three tables and every endpoints list); how many."""
    when = tables.start + timedelta(days=night)
    captures = [("litellm", LITELLM_URL, tables.table("litellm", month if litellm_month is None else litellm_month)),
                ("genai_prices", GENAI_URL, tables.table("genai_prices", month)),
                ("openrouter", MODELS_URL, tables.table("openrouter", month))]
    captures += [("openrouter", url, body) for url, body in tables.endpoints(month).items()]

    def put(item: tuple[str, str, bytes]) -> None:
        source_id, url, body = item
        store.put(body, source_id=source_id, url=url, observed_at=when, via="live", status=200,
                  content_type="application/json")

    with ThreadPoolExecutor(8) as pool:  # each manifest is fsynced: threads overlap the waits
        list(pool.map(put, captures))
    return len(captures)


def timed_build(data_dir: Path, full: bool) -> dict[str, float]:
    """Build + validate + analyze in a fresh process: seconds, and peak memory of it and its parse workers."""
    code = (
        "import json, resource, sys, time, logging\n"
        "logging.basicConfig(level=logging.WARNING)\n"
        "from llmflation.config import load_settings\n"
        "from llmflation.report import RunReport\n"
        "from llmflation.stages import analyze_stage, build_stage, validate_stage\n"
        "settings = load_settings()\n"
        "report = RunReport('bench')\n"
        "began = time.perf_counter()\n"
        f"result = build_stage(settings, report, full={full})\n"
        "built = time.perf_counter()\n"
        "validation = validate_stage(settings, report, result)\n"
        "result, validation = analyze_stage(settings, report, result, validation)\n"
        "done = time.perf_counter()\n"
        "print(json.dumps({'seconds': round(done - began, 2), 'build_s': round(built - began, 2),\n"
        "    'validate_analyze_s': round(done - built, 2), 'ok': validation.ok, 'price_rows': len(result.tables['prices']),\n"
        "    'peak_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))\n"
    )
    env = {**os.environ, "LLMFLATION_DATA_DIR": str(data_dir)}
    os.sync()  # the nights just stored and the state just put back are written out first, not during the build timed
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"build failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def repeated_build(data_dir: Path, repeat: int) -> dict[str, object]:
    """An incremental build ``repeat`` times from the same build state (the state and parse cache are
    put back between runs): the run of median time, with every run's seconds and the highest peak.
    The machine is shared; one run can be slowed by whatever else runs."""
    saved = data_dir.parent / "saved"
    for name in ("parsed", "state"):
        shutil.rmtree(saved / name, ignore_errors=True)
        if repeat > 1:
            shutil.copytree(data_dir / name, saved / name)
    runs = []
    for i in range(repeat):
        if i:
            for name in ("parsed", "state"):
                shutil.rmtree(data_dir / name)
                shutil.copytree(saved / name, data_dir / name)
        runs.append(timed_build(data_dir, full=False))
    shutil.rmtree(saved, ignore_errors=True)
    median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {**median, "runs_s": [r["seconds"] for r in runs], "peak_mb": max(r["peak_mb"] for r in runs)}


def checkpoint(data_dir: Path, store: RawStore, tables: Tables, nights: int, captures: int,
               repeat: int = 1) -> tuple[dict[str, object], int]:
    """The three measurements after ``nights`` nights; the nights stored when done."""
    for name in ("parsed", "state"):
        shutil.rmtree(data_dir / name, ignore_errors=True)  # cold: nothing but the raw store
    cold = timed_build(data_dir, full=True)
    month = (nights - 1) // 30
    captures += store_night(store, tables, nights, month)  # a night identical to the one before
    noop = repeated_build(data_dir, repeat)
    captures += store_night(store, tables, nights + 1, month, litellm_month=month + 13)  # only litellm changed (an edit no month of the year makes)
    one_change = repeated_build(data_dir, repeat)
    figures = {
        "nights": nights, "captures": captures, "price_rows": cold["price_rows"],
        "cold_full_build_s": cold["seconds"], "noop_night_s": noop["seconds"],
        "noop_share_of_cold": round(noop["seconds"] / cold["seconds"], 3), "one_change_night_s": one_change["seconds"],
        "peak_mb": max(r["peak_mb"] for r in (cold, noop, one_change)),
        "detail": {"cold": cold, "noop": noop, "one_change": one_change},
    }
    return figures, nights + 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", default="30,365", help="checkpoints, comma-separated (default 30,365)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="incremental builds timed per night from the same state; the median is reported (default 3)")
    args = parser.parse_args()
    corpus = corpus_root()
    if corpus is None:
        parser.error("the corpus was not found: set LLMFLATION_CORPUS")
    logging.basicConfig(level=logging.WARNING)
    checkpoints = sorted(int(n) for n in args.nights.split(","))
    tables = Tables(corpus, first_night(checkpoints[-1]))
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        store = RawStore(data_dir / "raw")
        stored_nights = captures = 0

        began = time.perf_counter()
        for target in checkpoints:
            while stored_nights < target:
                captures += store_night(store, tables, stored_nights, stored_nights // 30)
                stored_nights += 1
            logging.warning("stored %d nights (%d captures) in %.0f s", stored_nights, captures, time.perf_counter() - began)
            figures, stored_nights = checkpoint(data_dir, store, tables, stored_nights, captures, max(1, args.repeat))
            captures = int(figures["captures"])  # type: ignore[arg-type]
            print(json.dumps(figures), flush=True)
    logging.warning("bench process peak %d MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
