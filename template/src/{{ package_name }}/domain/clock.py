"""The service's one notion of now."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC, to the millisecond: the precision every supported database keeps."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
