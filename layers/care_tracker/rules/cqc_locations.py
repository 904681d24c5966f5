"""Reading CQC's active-locations file (RULES 1.1, TECH-NOTES "CQC's active-locations file").

Pure: takes the CSV text as an iterable of lines (an open text file, ``io.StringIO``, a decoded
S3 body, ``text.splitlines(keepends=True)``) and streams it row by row with ``csv.reader``;
nothing holds more than one row, so the national file (about 30,000 adult social care rows among
many more) is never loaded whole. A file should be opened with ``newline=""`` (the ``csv``
module's rule) so that line breaks inside quoted fields survive as written.

``parse_cqc_file(lines)`` reads the header at once (a missing required header raises
``ValueError`` naming every missing one) and returns an iterator of `CqcLocation` (one per adult
social care location) and `RowError` (one per bad row: reported, never raised, the rest of the
file goes on). Pass a `ParseStats` to have the rows counted.

Choices (documented here, tested in tests/unit/test_cqc_locations.py):

- Headers are matched exactly (case included) after removing a UTF-8 byte-order mark from the
  first cell and surrounding spaces from every cell. Extra columns (ratings, coordinates,
  regulated activities, ...) are ignored. `REQUIRED_HEADERS` are the columns read for every row;
  `OPTIONAL_HEADERS` may be absent (``Registered manager``, the data-sharing extract's
  ``Contact Email``, the deactivated-locations file's ``Location HSCA End Date``, and the Extra
  Care / Shared Lives service types, which are only counted). ``Care home?`` is not read: the
  care-home service-type columns say the same thing more precisely (with/without nursing). A
  header used by the import that appears twice raises ``ValueError`` (which one to trust?).
- Care types: ``care_home`` when ``Service type - Care home service with nursing`` or
  ``... without nursing`` is ``Y`` (``nursing`` is True when the first is), ``home_care`` for
  ``Service type - Domiciliary care service``, ``supported_living`` for ``Service type -
  Supported living service``. A row with none of the three is skipped as outside the return
  (counted in ``ParseStats.skipped_not_adult_social_care``, not an error): GPs, dentists,
  hospitals, and also a location registered *only* for Extra Care housing or Shared Lives, since
  the monthly return has no category for them (personal care in extra care housing is normally
  registered as a domiciliary care service, which is kept); those are counted as well in
  ``ParseStats.skipped_extra_care_or_shared_lives`` so the support team can see how many.
  The skip is decided before the rest of the row is checked: a skipped row is never an error.
- ``Y``/``N`` columns accept ``Y``, ``N`` or blank (any case); blank means no. Anything else is
  a row error.
- Dates: ``DD/MM/YYYY`` (as CQC writes them) or ISO ``YYYY-MM-DD``; blank -> None.
- IDs: ``1-`` then digits for both the location and the provider, else a row error.
- Postcode: required and must look like a UK postcode (outward code, inward code ``9AA``);
  ``postcode`` is for display (upper-case, one space before the inward code), ``postcode_key``
  (upper-case, no spaces) for search, made by `postcode_key`, which the search route uses too.
- ``Care homes beds``: blank -> None, else a whole number (a row error otherwise).
- ``Location Latitude`` / ``Location Longitude`` (optional columns; RULES 1.5a, distances): decimal
  degrees within the UK's bounds (latitude 49 to 61, longitude -9 to 2.5). Blank, not a number, out
  of bounds, or one without the other -> no coordinates (None, None), never a row error: a location
  must not miss registration over a map reference; without coordinates it is sorted by name.
- ``Contact Email``: blank -> None, else lower-cased and checked loosely (one ``@``, no spaces,
  a dot in the domain); an address that fails is a row error (the whole row is reported, so the
  support team corrects it rather than the organisation silently getting no account).
- ``public_body`` from ``Provider Ownership Type`` by `PUBLIC_BODY_BY_OWNERSHIP_TYPE` (compared
  case-insensitively); any other value, or blank, -> None: the support team sets it.
- Short rows (fewer cells than the header, as some tools write when trailing cells are empty)
  read the missing cells as blank; a row with more non-blank cells than the header has columns
  is a row error (a quoting problem); extra blank cells (trailing commas) are ignored. Wholly
  blank rows are skipped and counted in ``ParseStats.blank``.
- ``RowError.line_number`` is the physical line (header = line 1) on which the bad record
  *starts*; a quoted field containing line breaks makes a record span several lines.
  Several problems in one row are reported together in one message, joined by ``"; "``.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = [
    "CARE_HOME",
    "CARE_TYPES",
    "HOME_CARE",
    "OPTIONAL_HEADERS",
    "PUBLIC_BODY_BY_OWNERSHIP_TYPE",
    "REQUIRED_HEADERS",
    "SUPPORTED_LIVING",
    "CqcLocation",
    "ParseStats",
    "RowError",
    "display_postcode",
    "looks_like_postcode",
    "parse_cqc_file",
    "postcode_key",
]

CARE_HOME = "care_home"
HOME_CARE = "home_care"
SUPPORTED_LIVING = "supported_living"
CARE_TYPES = (CARE_HOME, HOME_CARE, SUPPORTED_LIVING)

# Column headers, exactly as CQC writes them.
LOCATION_ID = "Location ID"
LOCATION_NAME = "Location Name"
START_DATE = "Location HSCA start date"
END_DATE = "Location HSCA End Date"
DORMANT = "Dormant (Y/N)"
BEDS = "Care homes beds"
REGISTERED_MANAGER = "Registered manager"
REGION = "Location Region"
LOCAL_AUTHORITY = "Location Local Authority"
STREET = "Location Street Address"
ADDRESS_LINE_2 = "Location Address Line 2"
CITY = "Location City"
COUNTY = "Location County"
POSTCODE = "Location Postal Code"
PROVIDER_ID = "Provider ID"
PROVIDER_NAME = "Provider Name"
OWNERSHIP_TYPE = "Provider Ownership Type"
CARE_HOME_NURSING = "Service type - Care home service with nursing"
CARE_HOME_NO_NURSING = "Service type - Care home service without nursing"
DOMICILIARY = "Service type - Domiciliary care service"
SUPPORTED_LIVING_SERVICE = "Service type - Supported living service"
EXTRA_CARE = "Service type - Extra Care housing services"
SHARED_LIVES = "Service type - Shared Lives"
CONTACT_EMAIL = "Contact Email"
LATITUDE = "Location Latitude"
LONGITUDE = "Location Longitude"

REQUIRED_HEADERS: tuple[str, ...] = (
    LOCATION_ID,
    LOCATION_NAME,
    START_DATE,
    DORMANT,
    BEDS,
    REGION,
    LOCAL_AUTHORITY,
    STREET,
    ADDRESS_LINE_2,
    CITY,
    COUNTY,
    POSTCODE,
    PROVIDER_ID,
    PROVIDER_NAME,
    OWNERSHIP_TYPE,
    CARE_HOME_NURSING,
    CARE_HOME_NO_NURSING,
    DOMICILIARY,
    SUPPORTED_LIVING_SERVICE,
)
OPTIONAL_HEADERS: tuple[str, ...] = (
    REGISTERED_MANAGER,
    CONTACT_EMAIL,
    END_DATE,
    EXTRA_CARE,
    SHARED_LIVES,
    LATITUDE,
    LONGITUDE,
)

# Provider Ownership Type -> public body? (compared case-insensitively). CQC's own values are
# "Organisation", "Individual", "Partnership" and "NHS Body"; "Local Authority" and
# "NHS Healthcare Organisation" are accepted for extracts that name the owner's sector.
# In CQC's public file a council is an "Organisation" too, so "Organisation" says nothing either
# way: it gives None, like any value not listed here or blank, and the support team sets it
# (RULES 1.1). None is escalated like a private provider until someone says otherwise.
PUBLIC_BODY_BY_OWNERSHIP_TYPE: dict[str, bool] = {
    "Local Authority": True,
    "NHS Body": True,
    "NHS Healthcare Organisation": True,
    "Individual": False,
    "Partnership": False,
}
_PUBLIC_BODY = {k.casefold(): v for k, v in PUBLIC_BODY_BY_OWNERSHIP_TYPE.items()}

_CQC_ID = re.compile(r"1-[0-9]+")
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"[0-9]+")
# outward code (A9, A99, AA9, AA99, A9A, AA9A) + inward code (9AA), spaces removed
_UK_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")
_EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+")
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class CqcLocation:
    """One adult social care location as read from the CQC file."""

    location_id: str
    name: str
    provider_id: str
    provider_name: str
    address_lines: tuple[str, ...]
    town: str | None
    county: str | None
    postcode: str  # for display: "LS1 4AP"
    postcode_key: str  # for search: "LS14AP"
    local_authority: str | None
    region: str | None
    care_types: tuple[str, ...]  # sorted, from CARE_TYPES
    nursing: bool
    beds: int | None
    dormant: bool
    registered_on: date | None
    deregistered_on: date | None
    public_body: bool | None
    contact_email: str | None
    registered_manager: str | None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that could not be read; ``line_number`` is where it starts (header = 1)."""

    line_number: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line_number}: {self.message}"


@dataclass(slots=True)
class ParseStats:
    """Counts of what `parse_cqc_file` saw; updated as the iterator is consumed."""

    rows: int = 0  # data records read (blank ones included)
    blank: int = 0
    locations: int = 0
    skipped_not_adult_social_care: int = 0
    skipped_extra_care_or_shared_lives: int = 0  # of the skipped: only Extra Care / Shared Lives
    errors: int = 0
    # The file has `Location HSCA End Date`: CQC's deactivated-locations file, not a full active list.
    deactivated_file: bool = False


def postcode_key(text: str) -> str:
    """The postcode as searched: every whitespace removed, upper-case ("ls1 4ap" -> "LS14AP")."""
    return "".join(text.split()).upper()


def looks_like_postcode(key: str) -> bool:
    """Whether a postcode key (see `postcode_key`) has the shape of a full UK postcode."""
    return bool(_UK_POSTCODE.fullmatch(key))


def display_postcode(text: str) -> str:
    """The postcode as shown: upper-case with one space before the 3-character inward code."""
    key = postcode_key(text)
    return f"{key[:-3]} {key[-3:]}" if len(key) > 3 else key


def _parse_date(text: str) -> date | None:
    if not text:
        return None
    m = _DMY.fullmatch(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
    elif _ISO.fullmatch(text):
        year, month, day = (int(g) for g in text.split("-"))
    else:
        raise ValueError("not a date (DD/MM/YYYY or YYYY-MM-DD)")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("not a real date") from None


class _Row:
    """Cell access by header name for one record, collecting the problems found."""

    __slots__ = ("cells", "columns", "problems")

    def __init__(self, cells: list[str], columns: dict[str, int]) -> None:
        self.cells = cells
        self.columns = columns
        self.problems: list[str] = []

    def text(self, header: str) -> str:
        i = self.columns.get(header)
        if i is None or i >= len(self.cells):
            return ""
        return self.cells[i].strip()

    def optional(self, header: str) -> str | None:
        return self.text(header) or None

    def required(self, header: str) -> str:
        value = self.text(header)
        if not value:
            self.problems.append(f"{header} is blank")
        return value

    def flag(self, header: str) -> bool:
        value = self.text(header).upper()
        if value in ("", "N"):
            return False
        if value == "Y":
            return True
        self.problems.append(f"{header} must be Y, N or blank, not {self.text(header)!r}")
        return False

    def cqc_id(self, header: str) -> str:
        value = self.required(header)
        if value and not _CQC_ID.fullmatch(value):
            self.problems.append(f"{header} {value!r} is not a CQC ID (1- then digits)")
        return value

    def date(self, header: str) -> date | None:
        value = self.text(header)
        try:
            return _parse_date(value)
        except ValueError as e:
            self.problems.append(f"{header} {value!r}: {e}")
            return None


def _read_header(reader: Any) -> tuple[dict[str, int], int]:
    """Column index by header name, and the number of header cells."""
    try:
        raw = next(reader)
    except StopIteration:
        raise ValueError("the CQC file is empty: no header row") from None
    except csv.Error as e:
        raise ValueError(f"the CQC file's header row cannot be read: {e}") from None
    names = [cell.strip() for cell in raw]
    if names:
        names[0] = names[0].lstrip(_BOM).strip()
    columns: dict[str, int] = {}
    duplicates: set[str] = set()
    for index, name in enumerate(names):
        if name in columns:
            duplicates.add(name)
        else:
            columns[name] = index
    missing = [h for h in REQUIRED_HEADERS if h not in columns]
    if missing:
        raise ValueError(
            f"the CQC file lacks required column(s): {', '.join(missing)}"
        )
    used_duplicates = sorted(duplicates & set(REQUIRED_HEADERS + OPTIONAL_HEADERS))
    if used_duplicates:
        raise ValueError(f"the CQC file repeats column(s): {', '.join(used_duplicates)}")
    return columns, len(names)


def _care(row: _Row) -> tuple[tuple[str, ...], bool]:
    nursing = row.flag(CARE_HOME_NURSING)
    without_nursing = row.flag(CARE_HOME_NO_NURSING)
    types = []
    if nursing or without_nursing:
        types.append(CARE_HOME)
    if row.flag(DOMICILIARY):
        types.append(HOME_CARE)
    if row.flag(SUPPORTED_LIVING_SERVICE):
        types.append(SUPPORTED_LIVING)
    return tuple(sorted(types)), nursing


def _location(row: _Row, care_types: tuple[str, ...], nursing: bool) -> CqcLocation | None:
    """The record, or None with ``row.problems`` filled in."""
    location_id = row.cqc_id(LOCATION_ID)
    provider_id = row.cqc_id(PROVIDER_ID)
    name = row.required(LOCATION_NAME)
    provider_name = row.required(PROVIDER_NAME)

    raw_postcode = row.required(POSTCODE)
    key = postcode_key(raw_postcode)
    if raw_postcode and not _UK_POSTCODE.fullmatch(key):
        row.problems.append(f"{POSTCODE} {raw_postcode!r} is not a UK postcode")

    beds_text = row.text(BEDS)
    beds = None
    if beds_text:
        if _WHOLE.fullmatch(beds_text):
            beds = int(beds_text)
        else:
            row.problems.append(f"{BEDS} {beds_text!r} is not a whole number")

    email = row.text(CONTACT_EMAIL).lower() or None
    if email is not None and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        row.problems.append(f"{CONTACT_EMAIL} {row.text(CONTACT_EMAIL)!r} is not an email address")

    latitude, longitude = _coordinates(row)
    dormant = row.flag(DORMANT)
    registered_on = row.date(START_DATE)
    deregistered_on = row.date(END_DATE)
    if row.problems:
        return None
    ownership = row.text(OWNERSHIP_TYPE).casefold()
    return CqcLocation(
        location_id=location_id,
        name=name,
        provider_id=provider_id,
        provider_name=provider_name,
        address_lines=tuple(line for line in (row.text(STREET), row.text(ADDRESS_LINE_2)) if line),
        town=row.optional(CITY),
        county=row.optional(COUNTY),
        postcode=display_postcode(key),
        postcode_key=key,
        local_authority=row.optional(LOCAL_AUTHORITY),
        region=row.optional(REGION),
        care_types=care_types,
        nursing=nursing,
        beds=beds,
        dormant=dormant,
        registered_on=registered_on,
        deregistered_on=deregistered_on,
        public_body=_PUBLIC_BODY.get(ownership),
        contact_email=email,
        registered_manager=row.optional(REGISTERED_MANAGER),
        latitude=latitude,
        longitude=longitude,
    )


_UK_BOUNDS = ((LATITUDE, 49.0, 61.0), (LONGITUDE, -9.0, 2.5))


def _coordinates(row: _Row) -> tuple[float | None, float | None]:
    found = []
    for header, low, high in _UK_BOUNDS:
        try:
            value = float(row.text(header))
        except ValueError:
            return None, None
        if not (math.isfinite(value) and low <= value <= high):
            return None, None
        found.append(value)
    return found[0], found[1]


def parse_cqc_file(
    lines: Iterable[str], stats: ParseStats | None = None
) -> Iterator[CqcLocation | RowError]:
    """Read the header now (``ValueError`` if it lacks a required column), then stream the rows:
    a `CqcLocation` per adult social care location, a `RowError` per bad row; other rows
    (GPs, dentists, hospitals, blank lines) are skipped and counted in ``stats``."""
    reader = csv.reader(lines)
    columns, width = _read_header(reader)
    stats = stats if stats is not None else ParseStats()
    stats.deactivated_file = END_DATE in columns
    return _records(reader, columns, width, stats)


def _records(
    reader: Any, columns: dict[str, int], width: int, stats: ParseStats
) -> Iterator[CqcLocation | RowError]:
    ended = reader.line_num  # the header's last line
    while True:
        start = ended + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            stats.rows += 1
            stats.errors += 1
            yield RowError(start, f"unreadable CSV record: {e}")
            if reader.line_num == ended:  # no progress: stop
                return
            ended = reader.line_num
            continue
        ended = reader.line_num
        stats.rows += 1
        if not any(cell.strip() for cell in cells):
            stats.blank += 1
            continue
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            stats.errors += 1
            yield RowError(start, f"{len(cells)} cells but the header has {width} columns")
            continue
        row = _Row(cells, columns)
        care_types, nursing = _care(row)
        if not care_types and not row.problems:
            stats.skipped_not_adult_social_care += 1
            if row.flag(EXTRA_CARE) or row.flag(SHARED_LIVES):
                stats.skipped_extra_care_or_shared_lives += 1
            continue
        location = None if row.problems else _location(row, care_types, nursing)
        if location is None:
            stats.errors += 1
            label = row.text(LOCATION_ID)
            prefix = f"location {label}: " if label else ""
            yield RowError(start, prefix + "; ".join(row.problems))
            continue
        stats.locations += 1
        yield location
