"""Settings: where data lives, where sources are fetched from, how politely, what to analyse.

Resolution order, highest first: environment variables, the TOML file, built-in defaults.

- ``LLMFLATION_DATA_DIR``: data folder (default ``./data``).
- ``LLMFLATION_CONFIG``: TOML file (default ``./llmflation.toml`` when it exists).
- ``LLMFLATION_WAYBACK_URL``: overrides ``[wayback] url``.

The file is read once, by :func:`load_settings`, into typed, frozen sections (one dataclass per
TOML table below). Every key and value is checked there, before anything else runs: an unknown
section or key (with the nearest known one suggested) or a value of the wrong type or range is a
:class:`ConfigError` naming the file, the key and the problem. Code reads ``settings.capture.retries``,
never the TOML document.

Adding a setting is one line: a field of its section's dataclass, ``name: type = setting(default, ...)``.
Its type is checked from the annotation (``int``, ``float``, ``bool``, ``str``, ``Decimal``,
``tuple[str, ...]``, or ``X | None``); ``setting()`` adds bounds, choices or a ``parse`` function.

The defaults are the real internet addresses; tests point them at loopback servers.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from llmflation.benchmarks import DEFAULT_LEVELS
from llmflation.fetch.bisection import DEFAULT_STEP, STRATEGIES, StepError, parse_step
from llmflation.normalize import DEFAULT_CHARS_PER_TOKEN, parse_blend

log = logging.getLogger(__name__)

#: The curated tables kept in git beside the code.
REPO_REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"


class ConfigError(ValueError):
    """The configuration file, an environment variable or a command-line option is malformed.

    The message is one line naming the file (or option), the key and the problem.
    """


def setting(default: Any, *, minimum: float | None = None, maximum: float | None = None, positive: bool = False,
            choices: tuple[str, ...] | None = None, parse: Callable[[Any], Any] | None = None) -> Any:
    """A section field: its default once, and what a value must satisfy beyond its annotated type.

    ``parse`` turns the TOML value into the field's value, raising ``ValueError`` with the problem
    (for values no plain type describes: quality levels, dates, cron expressions).
    """
    return field(default=default, metadata={"minimum": minimum, "maximum": maximum, "positive": positive,
                                                 "choices": choices, "parse": parse})


# --- values no plain type describes -----------------------------------------------------------


class QualityLevel(NamedTuple):
    """A level of the analysis: models whose chosen ``benchmark`` score is at least ``threshold``.

    ``setting`` names the snapshot or version a level compares within, for benchmarks whose scores
    compare only inside one (an Arena snapshot, an Artificial Analysis index version).
    """

    benchmark: str
    threshold: float
    setting: str | None = None


def _levels(value: Any) -> tuple[QualityLevel, ...]:
    if not isinstance(value, list):
        raise ValueError("must be a list of {benchmark = \"...\", threshold = N} tables")
    levels: list[QualityLevel] = []
    for index, item in enumerate(value):
        where = f"entry {index + 1}"
        if not isinstance(item, dict):
            raise ValueError(f"{where} must be a table {{benchmark = \"...\", threshold = N}}, got {item!r}")
        unknown = sorted(set(item) - set(QualityLevel._fields))
        if unknown:
            raise ValueError(f"{where}: unknown key {unknown[0]!r}{_suggest(unknown[0], list(QualityLevel._fields))}")
        benchmark, threshold, named = item.get("benchmark"), item.get("threshold"), item.get("setting")
        if not isinstance(benchmark, str) or not benchmark:
            raise ValueError(f"{where}: benchmark must be a benchmark id such as \"mmlu\", got {benchmark!r}")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise ValueError(f"{where}: threshold must be a number, got {threshold!r}")
        if named is not None and (not isinstance(named, str) or not named):
            raise ValueError(f"{where}: setting must name a snapshot or version such as \"snapshot 2026-03-13\", got {named!r}")
        other = next((lv.setting for lv in levels if lv.benchmark == benchmark and lv.setting != named), None)
        if named is not None and other is not None:
            raise ValueError(f"{where}: {benchmark} levels name two settings ({other!r}, {named!r}); scores compare within one")
        level = QualityLevel(benchmark, float(threshold), named)
        if level in levels:
            raise ValueError(f"{where}: {benchmark} >= {threshold:g} is listed twice")
        levels.append(level)
    if not levels:
        raise ValueError("must list at least one level")
    return tuple(levels)


def _blends(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError("must be a non-empty list of input:output ratios such as [\"1:1\", \"3:1\"]")
    for blend in value:
        if not isinstance(blend, str):
            raise ValueError(f"{blend!r} is not a string such as \"3:1\"")
        parse_blend(blend)  # ValueError naming the blend
    if len(set(value)) != len(value):
        raise ValueError(f"lists a blend twice: {value}")
    return tuple(value)


def _month(value: Any) -> str:
    """A date (TOML date or ``YYYY-MM-DD``) as ``YYYY-MM-DD``."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise ValueError(f"must be a date YYYY-MM-DD, got {value!r}")


def check_cron(expression: str) -> str:
    """``expression`` when it is a five-field cron expression; ``ValueError`` saying why otherwise.

    Checked with cronsim (installed with Prefect) without importing Prefect, which reads its own
    settings when imported. Prefect's ``Cron`` schedule accepts every five-field expression it accepts.
    """
    from cronsim import CronSim, CronSimError

    if not isinstance(expression, str) or len(expression.split()) != 5:
        raise ValueError(f"must be a cron expression of five fields (minute hour day month weekday), got {expression!r}")
    try:
        CronSim(expression, datetime(2000, 1, 1))
    except (CronSimError, ValueError) as exc:
        raise ValueError(f"{expression!r} is not a cron expression: {exc}") from exc
    return expression


def _cron(value: Any) -> str:
    return check_cron(value)


def _timezone(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a time zone name such as \"UTC\", got {value!r}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{value!r} is not a time zone name (such as \"UTC\" or \"Europe/Paris\")") from exc
    return value


def _http_url(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise ValueError(f"must be an http(s) URL, got {value!r}")
    return value


def _base_url(value: Any) -> str:
    """An http(s) URL that paths are appended to: without its trailing slash."""
    return _http_url(value).rstrip("/")


def _sample_step(value: Any) -> str:
    try:
        return parse_step(value if isinstance(value, str) else repr(value))
    except StepError as exc:
        raise ValueError(str(exc)) from None


def _preference(value: Any) -> tuple[str, ...]:
    from llmflation import sources as registry  # read at call time: tests add sources to the registry

    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"must be a non-empty list of source ids (and \"*\" for the rest), got {value!r}")
    if len(set(value)) != len(value):
        raise ValueError(f"must list each source once, got {value}")
    known = [registry.REFERENCE_SOURCE_ID, *(s.id for s in registry.SOURCES), "*"]
    unknown = next((v for v in value if v not in known), None)
    if unknown is not None:  # a misspelt id would silently rank at "*"
        raise ValueError(f"no source has the id {unknown!r}{_suggest(unknown, known)}")
    return tuple(value)


def _path(value: Any) -> Path:
    if not isinstance(value, str) or not value:
        raise ValueError(f"must be a folder path, got {value!r}")
    return Path(value).expanduser().resolve()


# --- the sections --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceSettings:
    """``[sources.<id>]``: a source's live address, instead of the registry's."""

    url: str | None = setting(None, parse=_http_url)


@dataclass(frozen=True)
class WaybackSettings:
    """``[wayback]``: how the Internet Archive is asked for history."""

    url: str = setting("https://web.archive.org", parse=_base_url)
    #: The Internet Archive asks for no more than ~60 requests a minute; we stay far below.
    requests_per_minute: float = setting(15.0, positive=True)
    cdx_page_size: int = setting(5000, minimum=1)  # CDX rows per listing request
    listing_attempts: int = setting(5, minimum=1)  # tries of one CDX request before giving up
    retries: int = setting(3, minimum=0)  # times a failed snapshot request is tried again
    #: "bisect": sample the listed captures, then bisect to each change; "every_version": every distinct digest.
    strategy: str = setting(STRATEGIES[0], choices=STRATEGIES)
    #: How far apart the bisect strategy samples: month, week, day, every, or <N>d.
    sample_step: str = setting(DEFAULT_STEP, parse=_sample_step)


@dataclass(frozen=True)
class CaptureSettings:
    """``[capture]``: how live sources are fetched."""

    download_delay_s: float = setting(1.0, minimum=0)  # between requests to one host; 0 is for loopback tests
    retries: int = setting(2, minimum=0)
    #: Cap on one response body, compressed or not (Scrapy's DOWNLOAD_MAXSIZE): the largest
    #: legitimate source (litellm's price table) is about 1.5 MB today.
    max_response_bytes: int = setting(32 * 1024 * 1024, minimum=1)
    timeout_s: float = setting(60.0, positive=True)
    max_retry_after_s: float = setting(300.0, minimum=0)  # longest Retry-After honoured
    contact_url: str = setting("https://github.com/llmflation/llmflation", parse=_http_url)
    log_level: str = setting("INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))


@dataclass(frozen=True)
class NormalizeSettings:
    """``[normalize]``: unit conversions that need an assumption."""

    chars_per_token: Decimal = setting(DEFAULT_CHARS_PER_TOKEN, positive=True)


@dataclass(frozen=True)
class ScheduleSettings:
    """``[schedule]``: when ``llmflation serve`` runs the nightly flow."""

    cron: str = setting("0 3 * * *", parse=_cron)
    timezone: str = setting("UTC", parse=_timezone)
    server_port: int = setting(0, minimum=0, maximum=65535)  # Prefect's local server; 0 = any free port


@dataclass(frozen=True)
class PublishSettings:
    """``[publish]``: where releases go besides ``<data_dir>/published``.

    Credentials are deliberately not settings: S3 takes them from the standard AWS variables.
    """

    target: str | None = setting(None)  # fsspec URL (s3://bucket/prefix)
    endpoint_url: str | None = setting(None, parse=_http_url)  # an S3-compatible server (MinIO, R2...); None: AWS
    region: str | None = setting(None)  # the bucket's region; None: the AWS default


@dataclass(frozen=True)
class ProgressSettings:
    """``[progress]``: how long work (capture, backfill) reports its progress when not on a terminal."""

    interval_s: float = setting(30.0, positive=True)  # seconds between progress log lines


@dataclass(frozen=True)
class AnalysisSettings:
    """``[analysis]``: the quality levels, blends and months of the published series."""

    #: ``benchmarks.DEFAULT_LEVELS``: MMLU 42 and 83 (a16z), ECI and GPQA Diamond levels, each set by a named model.
    levels: tuple[QualityLevel, ...] = setting(tuple(QualityLevel(lv.benchmark, float(lv.threshold)) for lv in DEFAULT_LEVELS),
                                               parse=_levels)
    #: Input:output token ratios of the blended price: 1:1 (a16z) and 3:1 (Epoch AI, Artificial Analysis).
    blends: tuple[str, ...] = setting(("1:1", "3:1"), parse=_blends)
    start: str = setting("2021-11-01", parse=_month)  # first month of the series: GPT-3's public API
    #: Days a price stays in force after its last evidence when nothing contradicts it: a price
    #: nobody has seen for a quarter is not known to be today's price.
    evidence_horizon_days: int = setting(90, minimum=1)

    def recorded(self) -> dict[str, Any]:
        """What a release records of its analysis configuration (compared by the next release)."""
        return {
            "levels": [{"benchmark": lv.benchmark, "threshold": lv.threshold, **({"setting": lv.setting} if lv.setting else {})}
                       for lv in self.levels],
            "blends": list(self.blends),
            "start": self.start,
            "evidence_horizon_days": self.evidence_horizon_days,
        }


@dataclass(frozen=True)
class ScoresSettings:
    """``[scores]``: how one score is chosen per model and benchmark."""

    #: Source ids, most trusted first, ``*`` for the rest; None: the built-in order (scores.DEFAULT_PREFERENCE).
    preference: tuple[str, ...] | None = setting(None, parse=_preference)
    disagreement_points: float = setting(3.0, minimum=0)


@dataclass(frozen=True)
class ReferenceSettings:
    """``[reference]``: the curated tables."""

    dir: Path | None = setting(None, parse=_path)


#: Every TOML table the file may hold, and the dataclass that reads it.
SECTIONS: dict[str, type] = {
    "wayback": WaybackSettings,
    "capture": CaptureSettings,
    "normalize": NormalizeSettings,
    "schedule": ScheduleSettings,
    "publish": PublishSettings,
    "progress": ProgressSettings,
    "analysis": AnalysisSettings,
    "scores": ScoresSettings,
    "reference": ReferenceSettings,
}


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know that is not in the registry, checked and frozen."""

    data_dir: Path
    config_path: Path | None = None
    sources: Mapping[str, SourceSettings] = field(default_factory=dict)
    wayback: WaybackSettings = field(default_factory=WaybackSettings)
    capture: CaptureSettings = field(default_factory=CaptureSettings)
    normalize: NormalizeSettings = field(default_factory=NormalizeSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)
    progress: ProgressSettings = field(default_factory=ProgressSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    scores: ScoresSettings = field(default_factory=ScoresSettings)
    reference: ReferenceSettings = field(default_factory=ReferenceSettings)

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
        if self.reference.dir is not None:
            return self.reference.dir
        local = self.data_dir / "reference"
        return local if local.is_dir() else REPO_REFERENCE_DIR

    @property
    def state_dir(self) -> Path:
        """Run-time state that is not data: Prefect's home, locks, per-run reports."""
        return self.data_dir / "state"

    @property
    def user_agent(self) -> str:
        return f"llmflation/0.1 (+{self.capture.contact_url})"

    def url_for(self, source_id: str, default: str) -> str:
        """The live URL of a source: the configured override, else the registry's address."""
        configured = self.sources.get(source_id)
        return configured.url if configured is not None and configured.url else default

    # Shorthands for the values most modules read (each defined once, in its section above).

    @property
    def source_urls(self) -> dict[str, str]:
        return {sid: s.url for sid, s in self.sources.items() if s.url}

    @property
    def wayback_url(self) -> str:
        return self.wayback.url

    @property
    def wayback_requests_per_minute(self) -> float:
        return self.wayback.requests_per_minute

    @property
    def contact_url(self) -> str:
        return self.capture.contact_url

    @property
    def max_response_bytes(self) -> int:
        return self.capture.max_response_bytes

    @property
    def download_timeout_s(self) -> float:
        return self.capture.timeout_s

    @property
    def chars_per_token(self) -> Decimal:
        return self.normalize.chars_per_token

    @property
    def schedule_cron(self) -> str:
        return self.schedule.cron

    @property
    def schedule_timezone(self) -> str:
        return self.schedule.timezone

    @property
    def publish_target(self) -> str | None:
        return self.publish.target

    @property
    def quality_levels(self) -> list[tuple[str, float]]:
        """``[analysis] levels`` as (benchmark, threshold) pairs."""
        return [(level.benchmark, level.threshold) for level in self.analysis.levels]

    @property
    def level_settings(self) -> dict[str, str]:
        """The snapshot or version each benchmark's levels compare within, where ``[analysis] levels`` names one."""
        return {level.benchmark: level.setting for level in self.analysis.levels if level.setting}

    @property
    def progress_interval_s(self) -> float:
        return self.progress.interval_s

    @property
    def publish_storage_options(self) -> dict[str, Any]:
        """fsspec options for ``[publish] target``: ``endpoint_url`` and ``region``."""
        from llmflation.publish_target import storage_options

        return storage_options(self.publish.endpoint_url, self.publish.region)

    @property
    def blends(self) -> list[str]:
        return list(self.analysis.blends)

    @property
    def series_start(self) -> str:
        return self.analysis.start


# --- loading and checking -------------------------------------------------------------------------


def load_settings(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Settings from the environment and the TOML file they point at, every key and value checked."""
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
    return settings_from_document(doc, data_dir, config_path, env)


def settings_from_document(doc: Mapping[str, Any], data_dir: Path, config_path: Path | None = None,
                           env: Mapping[str, str] | None = None) -> Settings:
    """Check a parsed TOML document in full and freeze it into :class:`Settings`."""
    where = str(config_path) if config_path is not None else "configuration"
    unknown = [name for name in doc if name not in SECTIONS and name != "sources"]
    if unknown:
        name = unknown[0]
        raise ConfigError(f"{where}: unknown section [{name}]{_suggest(name, [*SECTIONS, 'sources'], '[', ']')}")
    sections: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        table = doc.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: [{name}] must be a table, got {table!r}")
        wayback_url = (env or {}).get("LLMFLATION_WAYBACK_URL")
        overrides = {"url": wayback_url} if name == "wayback" and wayback_url else {}
        sections[name] = _section(cls, {**table, **overrides}, f"{where}: [{name}]")
    return Settings(data_dir=data_dir, config_path=config_path, sources=_sources(doc.get("sources", {}), where),
                    **sections)


def _sources(table: Any, where: str) -> dict[str, SourceSettings]:
    from llmflation import sources as registry  # read at call time: tests add sources to the registry

    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [sources] must hold one table per source id, got {table!r}")
    known = [s.id for s in registry.SOURCES]
    result = {}
    for source_id, values in table.items():
        if source_id not in known:
            raise ConfigError(f"{where}: [sources.{source_id}]: no source has this id"
                              f"{_suggest(source_id, known, '[sources.', ']')} (see `llmflation sources`)")
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: [sources.{source_id}] must be a table with a url")
        result[source_id] = _section(SourceSettings, values, f"{where}: [sources.{source_id}]")
    return result


def _section(cls: type, table: Mapping[str, Any], where: str) -> Any:
    """One section's dataclass from its TOML table: unknown keys and bad values are ConfigErrors."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in table.items():
        if key not in fields:
            raise ConfigError(f"{where} unknown key {key!r}{_suggest(key, list(fields))}")
        try:
            values[key] = _value(hints[key], fields[key].metadata, value)
        except ValueError as exc:
            raise ConfigError(f"{where} {key}: {exc}") from None
    return cls(**values)


def _value(kind: Any, rules: Mapping[str, Any], value: Any) -> Any:
    """``value`` checked against the field's annotated type and its rules; ``ValueError`` saying why."""
    if rules.get("parse") is not None:
        result = rules["parse"](value)
    else:
        result = _typed(kind, value)
    if rules.get("choices") is not None and result not in rules["choices"]:
        raise ValueError(f"must be one of {', '.join(rules['choices'])}, got {value!r}")
    if rules.get("positive") and not result > 0:
        raise ValueError(f"must be > 0, got {value!r}")
    if rules.get("minimum") is not None and result < rules["minimum"]:
        raise ValueError(f"must be >= {rules['minimum']:g}, got {value!r}")
    if rules.get("maximum") is not None and result > rules["maximum"]:
        raise ValueError(f"must be <= {rules['maximum']:g}, got {value!r}")
    return result


def _typed(kind: Any, value: Any) -> Any:
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (typing.Union, types.UnionType):  # X | None: TOML has no null
        kind = next(a for a in args if a is not type(None))
        args = typing.get_args(kind)
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise ValueError(f"must be true or false, got {value!r}")
    if isinstance(value, bool):
        raise ValueError(f"must be {_NAMES.get(kind, 'a value')}, got {value!r}")
    if kind is int and isinstance(value, int):
        return value
    if kind is float and isinstance(value, (int, float)):
        return float(value)
    if kind is Decimal and isinstance(value, (int, float, str)):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            pass
    if kind is str and isinstance(value, str):
        return value
    if typing.get_origin(kind) is tuple and isinstance(value, list) and all(isinstance(v, args[0]) for v in value):
        return tuple(value)
    raise ValueError(f"must be {_NAMES.get(kind, _NAMES.get(typing.get_origin(kind), str(kind)))}, got {value!r}")


_NAMES = {int: "a whole number", float: "a number", Decimal: "a number", str: "a string", tuple: "a list of strings"}


def _suggest(word: str, known: list[str], before: str = "", after: str = "") -> str:
    """`` (did you mean 'x'?)`` for the nearest known word, else the known words."""
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    if close:
        opening, closing = (before, after) if before else ("'", "'")
        return f" (did you mean {opening}{close[0]}{closing}?)"
    return f" (known: {', '.join(known)})"
