"""Restore a daily backup into this stack's tables.

    python -m infra.restore --list
    python -m infra.restore --date 2026-11-22 [--table users_table ...] [--force]

The table and bucket names come from the same environment the functions get (USERS_TABLE, ...,
BACKUPS_BUCKET, AWS_REGION; see Globals in infra/resources.yaml). Each file is checked against
the manifest (item count and SHA-256 checksums) before anything is written. Tables that already
hold data are refused unless --force is given: then the backup's items are written over them
(items with the same key are replaced; other items stay). Exit status 0 on success, 1 on refusal
or a failed check.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.restore", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--date", type=date.fromisoformat, help="the backup's date, YYYY-MM-DD (Europe/London)")
    which.add_argument("--latest", action="store_true", help="the newest complete backup")
    which.add_argument("--list", action="store_true", help="list the complete backups and stop")
    parser.add_argument("--table", action="append", dest="tables", metavar="FIELD",
                        help="restore only this table (its settings name, e.g. users_table); repeatable")
    parser.add_argument("--force", action="store_true", help="write even into tables that already hold data")
    args = parser.parse_args(argv)

    from care_tracker.errors import AppError
    from care_tracker.wiring import backup_service

    service = backup_service()
    if args.list:
        print("\n".join(service.available()) or "no complete backups")
        return 0
    if args.latest:
        available = service.available()
        if not available:
            print("There are no complete backups.", file=sys.stderr)
            return 1
        args.date = date.fromisoformat(available[-1])
    try:
        result = service.restore(args.date, force=args.force, only=args.tables)
    except AppError as error:
        print(f"{error.message}", file=sys.stderr)
        if error.details:
            print(json.dumps(error.details, indent=2), file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
