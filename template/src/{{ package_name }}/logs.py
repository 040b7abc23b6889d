"""Logging: JSON lines in production, readable lines elsewhere, each with its request id."""

from __future__ import annotations

import copy
import logging
import textwrap
from contextvars import ContextVar
from typing import TYPE_CHECKING, override

from pythonjsonlogger.json import JsonFormatter

if TYPE_CHECKING:
    from types import TracebackType

    type ExcInfo = (
        tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
    )

request_id: ContextVar[str] = ContextVar("request_id", default="-")

TEXT_FORMAT = "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
# Control characters, as escapes: a message carries what a caller sent (an email, an event).
CONTROL = {code: f"\\x{code:02x}" for code in range(32)} | {10: "\\n", 13: "\\r", 9: "\\t"}


class RequestIdFilter(logging.Filter):
    """Stamps every record with the id of the request being served, or ``-``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """Readable lines in which a record cannot pass for others: line breaks and other
    control characters of the message are escaped, and the lines of a traceback are
    indented, so every line that starts at the margin begins a record."""

    @override
    def formatMessage(self, record: logging.LogRecord) -> str:
        escaped = copy.copy(record)
        escaped.message = record.message.translate(CONTROL)
        return super().formatMessage(escaped)

    @override
    def formatException(self, ei: ExcInfo) -> str:
        return textwrap.indent(super().formatException(ei), "    ")

    @override
    def formatStack(self, stack_info: str) -> str:
        return textwrap.indent(super().formatStack(stack_info), "    ")


def configure_logging(level: str, *, json_lines: bool) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if json_lines:
        handler.setFormatter(
            JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level"})
        )
    else:
        handler.setFormatter(TextFormatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
