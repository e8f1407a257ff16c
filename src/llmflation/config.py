"""Settings: where data lives, where sources are fetched from, how politely, what to analyse.

Resolution order, highest first: environment variables, the TOML file, built-in defaults.

- ``LLMFLATION_DATA_DIR``: data folder (default ``./data``).
- ``LLMFLATION_CONFIG``: TOML file (default ``./llmflation.toml`` when it exists).
- ``LLMFLATION_WAYBACK_URL``: overrides ``[wayback] url``.

The defaults are the real internet addresses; tests point them at loopback servers.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmflation.benchmarks import DEFAULT_LEVELS
from llmflation.normalize import DEFAULT_CHARS_PER_TOKEN

log = logging.getLogger(__name__)

DEFAULT_WAYBACK_URL = "https://web.archive.org"
#: The Internet Archive asks for no more than ~60 requests a minute; we stay far below.
DEFAULT_WAYBACK_REQUESTS_PER_MINUTE = 15.0
DEFAULT_CONTACT_URL = "https://github.com/llmflation/llmflation"
#: Cap on one response body, compressed or not (Scrapy's DOWNLOAD_MAXSIZE): the largest
#: legitimate source (litellm's price table) is about 1.5 MB today.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024


#: The curated tables kept in git beside the code.
REPO_REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"


class ConfigError(ValueError):
    """The configuration file or an environment variable is malformed."""


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know that is not in the registry."""

    data_dir: Path
    config_path: Path | None = None
    source_urls: dict[str, str] = field(default_factory=dict)  # [sources.<id>] url
    wayback_url: str = DEFAULT_WAYBACK_URL
    wayback_requests_per_minute: float = DEFAULT_WAYBACK_REQUESTS_PER_MINUTE
    contact_url: str = DEFAULT_CONTACT_URL
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    download_timeout_s: float = 60.0
    chars_per_token: Decimal = DEFAULT_CHARS_PER_TOKEN
    schedule_cron: str = "0 3 * * *"
    schedule_timezone: str = "UTC"
    publish_target: str | None = None  # fsspec URL; None = <data_dir>/published
    raw: dict[str, Any] = field(default_factory=dict)  # the whole TOML document, for later sections

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def parsed_dir(self) -> Path:
        """Per-capture parse results, reused while a parser's version is unchanged."""
        return self.data_dir / "parsed"

    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def reference_dir(self) -> Path:
        """Curated reference data: ``[reference] dir``, else ``<data_dir>/reference`` when it exists,
        else the copy shipped in this repository's ``data/reference`` (so a data folder set
        elsewhere still builds from the curated tables)."""
        configured = self.section("reference").get("dir")
        if configured:
            return Path(configured).expanduser().resolve()
        local = self.data_dir / "reference"
        return local if local.is_dir() else REPO_REFERENCE_DIR

    @property
    def state_dir(self) -> Path:
        """Run-time state that is not data: Prefect's home, locks, per-run reports."""
        return self.data_dir / "state"

    @property
    def user_agent(self) -> str:
        return f"llmflation/0.1 (+{self.contact_url})"

    def url_for(self, source_id: str, default: str) -> str:
        """The live URL of a source: the configured override, else the registry's address."""
        return self.source_urls.get(source_id, default)

    @property
    def quality_levels(self) -> list[tuple[str, float]]:
        """``[analysis] levels``: (benchmark, threshold) pairs; default ``benchmarks.DEFAULT_LEVELS``
        (MMLU 42 and 83, ECI 122, 130 and 150, GPQA Diamond 35 and 75, each set by a named model)."""
        default = [{"benchmark": level.benchmark, "threshold": level.threshold} for level in DEFAULT_LEVELS]
        levels = self.section("analysis").get("levels", default)
        try:
            return [(str(level["benchmark"]), float(level["threshold"])) for level in levels]
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{self.config_path}: [analysis] levels must be a list of {{benchmark, threshold}} tables") from exc

    @property
    def level_settings(self) -> dict[str, str]:
        """``setting`` of ``[analysis] levels`` per benchmark: the Arena snapshot or index version a level compares within."""
        named: dict[str, str] = {}
        for level in self.section("analysis").get("levels", []):
            if not isinstance(level, dict) or "setting" not in level:
                continue
            benchmark, setting = str(level.get("benchmark")), str(level["setting"])
            if named.setdefault(benchmark, setting) != setting:
                raise ConfigError(f"{self.config_path}: [analysis] levels: {benchmark} levels name two settings "
                                  f"({named[benchmark]!r}, {setting!r}); scores compare within one")
        return named

    @property
    def blends(self) -> list[str]:
        """``[analysis] blends``: input:output ratios of the blended price; default 1:1 (a16z) and 3:1 (Epoch AI)."""
        return [str(b) for b in self.section("analysis").get("blends", ["1:1", "3:1"])]

    @property
    def series_start(self) -> str:
        """``[analysis] start``: first month of the published series; default GPT-3's public API, Nov 2021."""
        return str(self.section("analysis").get("start", "2021-11-01"))

    def section(self, name: str) -> dict[str, Any]:
        """A top-level TOML table (``[analysis]``, ``[scores]``...), empty when absent."""
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.config_path}: [{name}] must be a table")
        return value


def load_settings(env: dict[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Settings from the environment and the TOML file they point at."""
    env = dict(os.environ) if env is None else env
    cwd = cwd or Path.cwd()
    data_dir = Path(env.get("LLMFLATION_DATA_DIR") or cwd / "data").resolve()

    config_path: Path | None
    if env.get("LLMFLATION_CONFIG"):
        config_path = Path(env["LLMFLATION_CONFIG"]).resolve()
        if not config_path.is_file():
            raise ConfigError(f"LLMFLATION_CONFIG points at {config_path}, which is not a file")
    else:
        candidate = cwd / "llmflation.toml"
        config_path = candidate.resolve() if candidate.is_file() else None

    doc: dict[str, Any] = {}
    if config_path is not None:
        try:
            doc = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_path}: not valid TOML: {exc}") from exc

    source_urls: dict[str, str] = {}
    for source_id, table in (doc.get("sources") or {}).items():
        if not isinstance(table, dict) or not isinstance(table.get("url", ""), str):
            raise ConfigError(f"{config_path}: [sources.{source_id}] must be a table with a string url")
        if "url" in table:
            source_urls[source_id] = table["url"]

    wayback = doc.get("wayback") or {}
    capture = doc.get("capture") or {}
    normalize = doc.get("normalize") or {}
    schedule = doc.get("schedule") or {}
    publish = doc.get("publish") or {}

    wayback_rpm = float(wayback.get("requests_per_minute", DEFAULT_WAYBACK_REQUESTS_PER_MINUTE))
    if wayback_rpm <= 0:
        raise ConfigError(f"{config_path}: [wayback] requests_per_minute must be > 0")

    return Settings(
        data_dir=data_dir,
        config_path=config_path,
        source_urls=source_urls,
        wayback_url=(env.get("LLMFLATION_WAYBACK_URL") or wayback.get("url") or DEFAULT_WAYBACK_URL).rstrip("/"),
        wayback_requests_per_minute=wayback_rpm,
        contact_url=str(capture.get("contact_url", DEFAULT_CONTACT_URL)),
        max_response_bytes=int(capture.get("max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES)),
        download_timeout_s=float(capture.get("timeout_s", 60.0)),
        chars_per_token=Decimal(str(normalize.get("chars_per_token", DEFAULT_CHARS_PER_TOKEN))),
        schedule_cron=str(schedule.get("cron", "0 3 * * *")),
        schedule_timezone=str(schedule.get("timezone", "UTC")),
        publish_target=publish.get("target"),
        raw=doc,
    )
