"""CSV writing rules for every export (RULES section 2 "Export"; reports for the support team).

Pure: no I/O of its own. `csv_rows` yields one CSV record (a `str`) at a time so a caller can
stream it anywhere (an S3 multipart upload, an HTTP response, a file); `write_csv` writes those
records to any text stream.

The format, and the choices made:

- RFC 4180: comma separated, every record ends with CRLF (``\\r\\n``), a field is quoted with
  ``"`` only when it needs it (it contains a comma, a ``"``, a CR or a LF) and a ``"`` inside a
  field is doubled. The header row comes first. A record may span several physical lines when a
  field contains a line break (inside quotes, as RFC 4180 allows).
- Encoding: UTF-8, without a byte-order mark. The strings yielded here are text; the caller
  encodes each with ``line.encode("utf-8")`` (`ENCODING`). A file opened by the caller must be
  opened with ``newline=""`` so that the CRLF is not translated.
- Cell values (`format_cell`):
    * ``None`` -> empty field (so ``None`` and ``""`` look the same in the file);
    * ``bool`` -> ``true`` / ``false`` (tested before ``int``: a bool is an int in Python);
    * ``int`` -> its decimal digits; ``float`` -> the shortest text that reads back as the same
      float (``repr``), ``Decimal`` -> plain notation (no exponent); NaN and infinities raise
      ``ValueError`` (there is no honest way to write them);
    * ``datetime`` / ``date`` / ``time`` -> ISO 8601 (``isoformat()``; an aware datetime keeps
      its offset, e.g. ``2026-10-01T09:30:00+00:00``);
    * an ``Enum`` member -> its value, formatted by these same rules;
    * ``str`` -> the text, passed through `neutralise`;
    * anything else raises ``TypeError`` (no silent ``str(obj)`` of an object by accident).
- Formula neutralisation (OWASP "CSV Injection"): a *text* cell whose first character is one of
  ``=``, ``+``, ``-``, ``@``, TAB or CR gets a single quote ``'`` in front, so a spreadsheet shows
  it as text and never evaluates it. This applies to header cells too.
  Numbers are NOT neutralised: a Python ``int``/``float``/``Decimal`` is written as a number, so
  ``-5`` stays ``-5`` (a number cannot carry a formula, and prefixing it would turn every negative
  number into text). The text ``"-5"`` (a ``str``) *is* neutralised to ``'-5``: text that merely
  looks like a number, such as a phone number ``+44 20 7946 0000``, is still text and may come
  from a user. The quote is not removed again by anything here; a cell that already starts with
  ``'`` is left alone (its first character is not dangerous).
- Rows (`csv_rows`): a mapping row is read by header name; a name missing from the mapping gives
  an empty cell, a key that is not in the header raises ``ValueError`` (a likely bug: data that
  would silently not be exported). A sequence row must have exactly one value per header column
  (``ValueError`` otherwise); a ``str``/``bytes`` row is refused (``TypeError``). The header must
  be non-empty and its names unique (``ValueError``). Errors are raised when the offending row is
  reached (the rows are consumed lazily), so a streamed upload must be aborted on an exception.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, TextIO

__all__ = [
    "DANGEROUS_FIRST_CHARACTERS",
    "ENCODING",
    "LINE_TERMINATOR",
    "csv_rows",
    "format_cell",
    "neutralise",
    "write_csv",
]

ENCODING = "utf-8"
LINE_TERMINATOR = "\r\n"
# OWASP CSV Injection: cells starting with these may be run as a formula by a spreadsheet.
DANGEROUS_FIRST_CHARACTERS = frozenset({"=", "+", "-", "@", "\t", "\r"})
NEUTRALISING_PREFIX = "'"


def neutralise(cell: str) -> str:
    """The text with a ``'`` in front if it starts with ``= + - @``, TAB or CR; else unchanged."""
    if cell and cell[0] in DANGEROUS_FIRST_CHARACTERS:
        return NEUTRALISING_PREFIX + cell
    return cell


def format_cell(value: Any) -> str:
    """The text of one CSV cell (before CSV quoting), by the rules in the module docstring."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return format_cell(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))  # int(): an IntEnum-like subclass could override __str__
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write a non-finite number to CSV: {value!r}")
        return repr(float(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write a non-finite number to CSV: {value!r}")
        return format(value, "f")
    if isinstance(value, (datetime, date, time)):  # datetime is a date: same call either way
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    raise TypeError(f"no CSV format for a value of type {type(value).__name__}")


def _check_header(header: Sequence[str]) -> list[str]:
    if isinstance(header, (str, bytes)):
        raise TypeError("header must be a sequence of column names, not a single string")
    names = list(header)
    if not names:
        raise ValueError("a CSV export needs at least one column")
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"header names must be str, got {type(name).__name__}")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"duplicate header names: {', '.join(duplicates)}")
    return names


def _cells(header: list[str], row: Mapping[str, Any] | Sequence[Any], index: int) -> list[str]:
    if isinstance(row, Mapping):
        unknown = [k for k in row if k not in header]
        if unknown:
            raise ValueError(
                f"row {index}: keys not in the header: {', '.join(sorted(map(str, unknown)))}"
            )
        return [format_cell(row.get(name)) for name in header]
    if isinstance(row, (str, bytes, bytearray)) or not isinstance(row, Sequence):
        raise TypeError(f"row {index}: expected a mapping or a sequence, got {type(row).__name__}")
    if len(row) != len(header):
        raise ValueError(f"row {index}: {len(row)} values for {len(header)} columns")
    return [format_cell(value) for value in row]


def csv_rows(
    header: Sequence[str], rows: Iterable[Mapping[str, Any] | Sequence[Any]]
) -> Iterator[str]:
    """Yield the header record, then one record per row, each a ``str`` ending in CRLF.

    Lazy: rows are read one at a time, so any iterable (e.g. a paginated query) streams through.
    ``"".join(csv_rows(...))`` is the whole file; encode it (or each piece) as UTF-8.
    """
    names = _check_header(header)
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, dialect="excel", lineterminator=LINE_TERMINATOR, quoting=csv.QUOTE_MINIMAL
    )

    def record(cells: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield record([neutralise(name) for name in names])
    for index, row in enumerate(rows, start=1):
        yield record(_cells(names, row, index))


def write_csv(
    stream: TextIO, header: Sequence[str], rows: Iterable[Mapping[str, Any] | Sequence[Any]]
) -> int:
    """Write the CSV to a text stream (opened with ``newline=""``); return the data row count."""
    lines = 0
    for line in csv_rows(header, rows):
        stream.write(line)
        lines += 1
    return lines - 1  # the header is not a data row
