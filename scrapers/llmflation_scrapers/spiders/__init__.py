"""The spiders: ``live`` (each source's current address)."""
