"""llmflation: how fast the price of LLM intelligence falls, measured every night."""

__version__ = "0.1.0"
