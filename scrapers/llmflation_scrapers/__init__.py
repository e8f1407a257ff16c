"""Spiders that fetch source bytes into the raw store, and nothing else: no parsing here."""
