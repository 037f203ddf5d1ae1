"""Provenance: near-duplicate search, code fingerprints, attribution and deduplication."""
