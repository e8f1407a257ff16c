"""Prefect flows and deployments. They compose library calls, retries and schedules; no logic of their own."""

from llmflation.prefect_env import configure_prefect

configure_prefect()
