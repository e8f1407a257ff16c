"""The one item pipeline: put each fetched body into the raw store, pass its manifest entry on.

The feed (``-O outcome.jsonl``) then holds one line per fetch: the stored capture's
manifest fields, or the error of a fetch that produced no bytes. Bodies never reach the feed.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from scrapy import Spider

from llmflation.config import load_settings
from llmflation.fetch.rawstore import RawStore


class RawStorePipeline:
    def open_spider(self, spider: Spider) -> None:
        self.store = RawStore(load_settings().raw_dir)

    def process_item(self, item: dict[str, Any], spider: Spider) -> dict[str, Any]:
        body = item.pop("body", None)
        if body is None:
            return item
        meta = self.store.put(
            body,
            source_id=item["source_id"],
            url=item["url"],
            observed_at=item["observed_at"],
            via=item["via"],
            status=item["status"],
            content_type=item.get("content_type", ""),
            wayback_timestamp=item.get("wayback_timestamp"),
            wayback_digest=item.get("wayback_digest"),
            rejected=item.get("rejected"),
        )
        outcome = {k: v for k, v in asdict(meta).items() if k not in ("observed_at", "fetched_at")}
        outcome["observed_at"] = meta.observed_at.isoformat()
        outcome["outcome"] = "stored"
        outcome["final_url"] = item.get("final_url")
        return outcome
