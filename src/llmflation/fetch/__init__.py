"""Everything that fetches, and where fetched bytes are kept: the first stage of a run.

- ``capture``: today's bytes of every source, through the Scrapy project (``scrapers/``).
- ``backfill``, ``backfill_bisect``, ``bisection``, ``wayback``: the Internet Archive's history of
  each source address (CDX listing, a paced sample, bisection to each change).
- ``checks``: whether a response is usable evidence (login walls, bot challenges, HTML for JSON).
- ``retry_after``: how long a server asked us to wait.
- ``rawstore`` and ``rawindex``: the content-addressed raw store every later stage reads, and its index.

The Scrapy project imports these modules; nothing here imports the Scrapy project.
"""
