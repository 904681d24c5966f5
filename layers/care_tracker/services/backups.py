"""Daily backups of every table to S3, and restoring one (RULES 3: restore loses at most a day).

Layout in the backups bucket, one folder per Europe/London date:

    backups/2026-11-22/users.jsonl.gz      one line per item: {"Item": <DynamoDB JSON>}, gzip
    backups/2026-11-22/...
    backups/2026-11-22/manifest.json       written last: tables, item counts, checksums, times

The lines use DynamoDB JSON (the form of DynamoDB's own S3 export; binary values base64), so every
type (numbers as exact decimals, sets, binary, maps, lists, null) comes back exactly as it was.
Each table file records two SHA-256 checksums: of the uncompressed lines (`sha256`) and of the
stored object (`object_sha256`). Files are streamed through gzip into a multipart upload: memory
stays at about one 8 MiB part whatever the table's size.

A backup is idempotent for its day: the manifest is the marker, so a second run finds it and does
nothing (the manifest is created with If-None-Match, so two racing runs cannot both claim it).
A scan is not a point-in-time snapshot (items written during the backup may or may not be in
it); point-in-time recovery stays on in the template for exact recovery to any second.

A restore reads a chosen day's manifest, checks every file's count and checksums BEFORE writing
anything, refuses to write into a table that holds data unless forced, batch-writes the items,
and checks the tables' counts afterwards.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO, Protocol
from zoneinfo import ZoneInfo

from care_tracker.errors import Conflict, NotFound
from care_tracker.ports import Clock

LONDON = ZoneInfo("Europe/London")
PREFIX = "backups/"
FORMAT = "dynamodb-json-lines+gzip/1"


class BackupCorrupt(Conflict):
    code = "backup_corrupt"


class TableItems(Protocol):
    def scan(self, table: str) -> Iterator[dict]: ...

    def is_empty(self, table: str) -> bool: ...

    def count(self, table: str) -> int: ...

    def put_all(self, table: str, items: Iterable[dict]) -> int: ...


class BackupFiles(Protocol):
    bucket: str

    def exists(self, key: str) -> bool: ...

    def writer(self, key: str) -> Any:
        """A binary stream; a context manager that completes on success and aborts on error."""

    def reader(self, key: str) -> BinaryIO: ...

    def put_json_once(self, key: str, document: dict) -> bool: ...

    def get_json(self, key: str) -> dict | None: ...

    def prefixes(self, prefix: str) -> list[str]: ...


# ---------- DynamoDB JSON <-> one line of text ----------

def _to_json(value: dict) -> dict:
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(b).decode("ascii") for b in inner]}
    if kind == "M":
        return {"M": {k: _to_json(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_to_json(v) for v in inner]}
    return value


def _from_json(value: dict) -> dict:
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(b) for b in inner]}
    if kind == "M":
        return {"M": {k: _from_json(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_from_json(v) for v in inner]}
    return value


def encode_item(item: dict) -> bytes:
    """One backup line (ending in a newline) for an item as botocore gives it."""
    line = json.dumps({"Item": {k: _to_json(v) for k, v in item.items()}}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return line.encode("utf-8") + b"\n"


def decode_item(line: bytes) -> dict:
    return {k: _from_json(v) for k, v in json.loads(line)["Item"].items()}


def backup_day(at: datetime) -> date:
    """The Europe/London date a backup run at `at` is filed under."""
    return at.astimezone(LONDON).date()


def file_name(field: str) -> str:
    return f"{field.removesuffix('_table')}.jsonl.gz"


class _Hashing(io.RawIOBase):
    """Passes bytes to a stream, hashing and counting them on the way."""

    def __init__(self, target: Any) -> None:
        super().__init__()
        self._target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.sha256.update(data)
        self.size += len(data)
        self._target.write(data)
        return len(data)


class _HashingReader(io.RawIOBase):
    def __init__(self, source: BinaryIO) -> None:
        super().__init__()
        self._source = source
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._source.read(len(buffer))
        self.sha256.update(data)
        buffer[: len(data)] = data
        return len(data)


@dataclass
class _Lines:
    """Reads a backup file: its items, while counting and hashing both the lines and the object."""

    files: BackupFiles
    key: str
    count: int = 0
    sha256: str = ""
    object_sha256: str = ""

    def items(self) -> Iterator[dict]:
        raw = _HashingReader(self.files.reader(self.key))
        content = hashlib.sha256()
        count = 0
        with gzip.GzipFile(fileobj=io.BufferedReader(raw, 1024 * 1024), mode="rb") as lines:
            for line in lines:
                content.update(line)
                count += 1
                yield decode_item(line)
        self.count, self.sha256, self.object_sha256 = count, content.hexdigest(), raw.sha256.hexdigest()


class BackupService:
    def __init__(self, items: TableItems, files: BackupFiles, tables: dict[str, str], clock: Clock) -> None:
        """`tables`: settings field (e.g. "users_table") -> this stack's table name."""
        self._items = items
        self._files = files
        self._tables = dict(tables)
        self._clock = clock

    @staticmethod
    def manifest_key(day: date) -> str:
        return f"{PREFIX}{day.isoformat()}/manifest.json"

    # ---------- backup ----------
    def backup(self, at: datetime) -> dict:
        day = backup_day(at)
        manifest_key = self.manifest_key(day)
        if self._files.exists(manifest_key):
            return {"date": day.isoformat(), "skipped": True,
                    "reason": f"the backup for {day.isoformat()} is already complete ({manifest_key})"}
        started = self._clock.now()
        tables: dict[str, dict] = {}
        for field, table in self._tables.items():
            key = f"{PREFIX}{day.isoformat()}/{file_name(field)}"
            tables[field] = {"table_name": table, "key": key, **self._dump(table, key)}
        manifest = {
            "format": FORMAT, "date": day.isoformat(), "at": at.isoformat(), "bucket": self._files.bucket,
            "started_at": started.isoformat(), "finished_at": self._clock.now().isoformat(),
            "item_count": sum(t["items"] for t in tables.values()), "tables": tables,
        }
        if not self._files.put_json_once(manifest_key, manifest):
            return {"date": day.isoformat(), "skipped": True, "reason": "another run completed this backup first"}
        return {"date": day.isoformat(), "skipped": False, "manifest": manifest_key, "item_count": manifest["item_count"],
                "tables": {field: t["items"] for field, t in tables.items()}}

    def _dump(self, table: str, key: str) -> dict:
        content = hashlib.sha256()
        count = 0
        with self._files.writer(key) as upload:
            stored = _Hashing(upload)
            with gzip.GzipFile(fileobj=stored, mode="wb", compresslevel=6, mtime=0) as out:
                pending: list[bytes] = []
                size = 0
                for item in self._items.scan(table):
                    line = encode_item(item)
                    content.update(line)
                    pending.append(line)
                    size += len(line)
                    count += 1
                    if size >= 256 * 1024:
                        out.write(b"".join(pending))
                        pending, size = [], 0
                if pending:
                    out.write(b"".join(pending))
        return {"items": count, "sha256": content.hexdigest(), "object_sha256": stored.sha256.hexdigest(),
                "bytes": stored.size}

    # ---------- restore ----------
    def available(self) -> list[str]:
        """Dates with a complete backup (a manifest), oldest first."""
        days = [p[len(PREFIX):].rstrip("/") for p in self._files.prefixes(PREFIX)]
        return sorted(d for d in days if self._files.exists(self.manifest_key(date.fromisoformat(d))))

    def manifest(self, day: date) -> dict:
        found = self._files.get_json(self.manifest_key(day))
        if found is None:
            have = ", ".join(self.available()[-10:]) or "none"
            raise NotFound(f"There is no complete backup for {day.isoformat()}. Backups available: {have}.",
                           code="no_backup", details={"date": day.isoformat()})
        return found

    def restore(self, day: date, *, force: bool = False, only: Iterable[str] | None = None) -> dict:
        manifest = self.manifest(day)
        chosen = dict(manifest["tables"])
        if only is not None:
            wanted = set(only)
            unknown = sorted(wanted - set(chosen))
            if unknown:
                raise NotFound(f"The backup of {day} has no table {', '.join(unknown)}.", code="no_such_table",
                               details={"tables": sorted(chosen)})
            chosen = {f: t for f, t in chosen.items() if f in wanted}
        missing = sorted(f for f in chosen if f not in self._tables)
        if missing:
            raise NotFound(f"This stack has no table for {', '.join(missing)} from the backup.", code="no_such_table")
        targets = {field: self._tables[field] for field in chosen}

        holding = sorted(field for field, table in targets.items() if not self._items.is_empty(table))
        if holding and not force:
            raise Conflict("These tables already hold data, so nothing was restored: "
                           f"{', '.join(holding)}. Restore into empty tables, or force it to write over them.",
                           code="tables_not_empty", details={"tables": holding})

        # Every file is read and checked before anything is written: a damaged backup writes nothing.
        for field, entry in chosen.items():
            reading = _Lines(self._files, entry["key"])
            for _ in reading.items():
                pass
            self._check(field, entry, reading)

        restored: dict[str, int] = {}
        for field, entry in chosen.items():
            reading = _Lines(self._files, entry["key"])
            restored[field] = self._items.put_all(targets[field], reading.items())
            self._check(field, entry, reading)  # the object did not change between the two reads

        counts = {field: self._items.count(targets[field]) for field in chosen}
        short = {f: {"expected": chosen[f]["items"], "found": n} for f, n in counts.items()
                 if n < chosen[f]["items"] or (not force and n != chosen[f]["items"])}
        if short:
            raise BackupCorrupt("After the restore, these tables do not hold the backup's item counts: "
                                f"{', '.join(sorted(short))}.", details={"tables": short})
        return {"date": day.isoformat(), "forced": force, "tables": restored, "item_count": sum(restored.values()),
                "written_over": holding}

    @staticmethod
    def _check(field: str, entry: dict, reading: _Lines) -> None:
        problems = []
        if reading.count != entry["items"]:
            problems.append(f"{reading.count} items, the manifest says {entry['items']}")
        if reading.sha256 != entry["sha256"]:
            problems.append("the items' checksum differs from the manifest")
        if reading.object_sha256 != entry["object_sha256"]:
            problems.append("the file's checksum differs from the manifest")
        if problems:
            raise BackupCorrupt(f"The backup of {field} fails its checks, so nothing was restored from it: "
                                f"{'; '.join(problems)}.", details={"table": field, "problems": problems})
