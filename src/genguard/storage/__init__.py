"""SQLite storage shared by indexes, audit runs and logs."""

from genguard.storage.sqlite import connect, storage_errors, transaction

__all__ = ["connect", "storage_errors", "transaction"]
