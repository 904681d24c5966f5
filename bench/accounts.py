"""Provider accounts benchmarks (issue 3).

1. Import of a 30,000-location CQC file, generated here in the real column layout (the demo file's
   126 headers), against moto's server in a separate process (so moto's own memory is not
   counted): DynamoDB write requests (target at most 2 x 30,000 / 25 + 100), peak memory of this
   process (target at most 200 MB: the file is streamed from S3), wall time. Then the same file
   again: 0 write requests.
2. Postcode search: DynamoDB requests of one `GET /locations/search` (target 1).
"""
from __future__ import annotations

import csv
import io
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.request_counts import counting_dynamodb

ROOT = Path(__file__).resolve().parents[1]
DEMO_FILE = ROOT / "infra" / "demo" / "cqc_locations.csv"
REGION = "eu-west-2"
WRITES = {"BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"}
LOCATIONS = 30_000
LOCATIONS_PER_PROVIDER = 3
PROVIDERS_WITH_CONTACT_EMAIL = 20
_AREAS = ["LS", "BS", "M", "B", "NE", "SW", "EH", "CF", "YO", "NG", "LE", "S"]


def header() -> list[str]:
    with open(DEMO_FILE, newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def cqc_row(columns: list[str], values: dict[str, str]) -> list[str]:
    """A row in the real layout: the given cells by header, every other cell blank."""
    return [values.get(name, "") for name in columns]


def location_values(n: int, *, provider: int | None = None, dormant: bool = False, email: bool = False,
                    kind: int | None = None) -> dict[str, str]:
    provider = n // LOCATIONS_PER_PROVIDER if provider is None else provider
    kind = n % 4 if kind is None else kind
    area = _AREAS[n % len(_AREAS)]
    values = {
        "Location ID": f"1-{3_000_000_000 + n}", "Location Name": f"Bench Location {n}",
        "Location HSCA start date": "01/04/2015", "Dormant (Y/N)": "Y" if dormant else "N",
        "Care home?": "Y" if kind == 0 else "N", "Care homes beds": "30" if kind == 0 else "",
        "Location Type/Sector": "Social Care Org", "Location Region": "North West",
        "Location Local Authority": "Manchester", "Location Street Address": f"{n} Long Road",
        "Location City": "Manchester", "Location Postal Code": f"{area}{n % 90 + 1} {n % 10}AB",
        "Provider ID": f"1-{4_000_000_000 + provider}", "Provider Name": f"Bench Provider {provider}",
        "Provider Ownership Type": "Organisation",
    }
    if kind == 0:
        values["Service type - Care home service without nursing"] = "Y"
    elif kind == 1:
        values["Service type - Care home service with nursing"] = "Y"
    elif kind == 2:
        values["Service type - Domiciliary care service"] = "Y"
    else:
        values["Service type - Supported living service"] = "Y"
    if email:
        values["Contact Email"] = f"manager{provider}@bench.example.org"
    return values


def generate(path: Path, locations: int | None = None, *, gps_every: int = 10) -> Path:
    """Writes the file row by row; one GP practice (not adult social care) after every `gps_every` rows."""
    columns = header()
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(columns)
        for n in range(LOCATIONS if locations is None else locations):
            provider = n // LOCATIONS_PER_PROVIDER
            out.writerow(cqc_row(columns, location_values(n, email=provider < PROVIDERS_WITH_CONTACT_EMAIL)))
            if gps_every and n % gps_every == 0:
                gp = {"Location ID": f"1-{5_000_000_000 + n}", "Location Name": f"Surgery {n}", "Provider ID": "1-999",
                      "Provider Name": "GP", "Location Postal Code": "M1 1AA",
                      "Service type - Doctors consultation service": "Y"}
                out.writerow(cqc_row(columns, gp))
    return path


def csv_text(columns: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(columns)
    for values in rows:
        out.writerow(cqc_row(columns, values))
    return buffer.getvalue()


def _peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM (Linux) belongs to the process image, unlike
    ru_maxrss, which a child started by fork+exec inherits from its parent."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _writes(counter) -> int:
    return sum(n for op, n in counter.calls.items() if op in WRITES)


def _start_moto_server() -> tuple[subprocess.Popen, str]:
    from infra.local.stack import _wait_for, free_port

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _wait_for(f"{url}/moto-api/", 60)
    return process, url


def import_figures(tmp: Path) -> dict:
    """Generates the file and uploads it (here), then times and measures the import in a fresh
    child process (its peak memory is the import's own plus the interpreter and libraries, as in
    the job's Lambda), twice."""
    import json

    server, url = _start_moto_server()
    saved = dict(os.environ)
    try:
        os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": REGION,
                           "AWS_REGION": REGION, "AWS_ENDPOINT_URL": url, "POWERTOOLS_TRACE_DISABLED": "true"})
        from infra.local.provision import provision

        env = provision(region=REGION)
        os.environ.update(env)
        path = generate(tmp / "01_October_2026_HSCA_Active_Locations.csv")
        size_mb = path.stat().st_size / 1e6
        import boto3

        boto3.client("s3", region_name=REGION).upload_file(str(path), env["IMPORTS_BUCKET"], IMPORT_KEY)
        path.unlink()
        child_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers"), str(ROOT)])}
        done = subprocess.run([sys.executable, "-m", "bench.accounts", "--import-child"], cwd=ROOT, env=child_env,
                              capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        return {"import_file_mb": round(size_mb, 1), **json.loads(done.stdout.strip().splitlines()[-1])}
    finally:
        server.terminate()
        server.wait(20)
        os.environ.clear()
        os.environ.update(saved)
        _fresh_connections()  # no client left pointing at the stopped server


IMPORT_KEY = "cqc/01_October_2026_HSCA_Active_Locations.csv"


def _child_import() -> dict:
    """In the child: the job on the uploaded file, twice, counting DynamoDB requests."""
    from functions.jobs import import_cqc_locations

    at = datetime(2026, 10, 1, 6, tzinfo=UTC)
    rss_before = _peak_rss_mb()
    with counting_dynamodb() as counter:
        _fresh_connections()
        started = time.perf_counter()
        first = import_cqc_locations(at, key=IMPORT_KEY)
        first_seconds = time.perf_counter() - started
        rss_peak = _peak_rss_mb()
        first_writes, first_calls = _writes(counter), dict(counter.calls)
        counter.reset()
        started = time.perf_counter()
        second = import_cqc_locations(at, key=IMPORT_KEY)
        second_seconds = time.perf_counter() - started
        second_writes, second_calls = _writes(counter), dict(counter.calls)
    return {
        "import_locations_read": first["locations_read"],
        "import_locations_written": first["locations_written"],
        "import_organisations_written": first["organisations_written"],
        "import_accounts_created": first["accounts_created"],
        "import_write_requests": first_writes, "import_write_budget": 2 * LOCATIONS // 25 + 100,
        "import_dynamodb_calls": first_calls,
        "import_wall_seconds": round(first_seconds, 1),
        "import_peak_rss_mb": round(rss_peak, 1), "import_rss_before_mb": round(rss_before, 1),
        "import_memory_budget_mb": 200,
        "reimport_write_requests": second_writes, "reimport_dynamodb_calls": second_calls,
        "reimport_wall_seconds": round(second_seconds, 1), "reimport_accounts_created": second["accounts_created"],
        "reimport_peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def _fresh_connections() -> None:
    """PynamoDB keeps a client per model: drop them so the counter sees every client made from now."""
    from pynamodb.models import Model

    from care_tracker import wiring

    stack = list(Model.__subclasses__())
    while stack:
        model = stack.pop()
        stack.extend(model.__subclasses__())
        model._connection = None
    wiring.reset()


def search_figures() -> dict:

    from bench.request_counts import local_stack_in_process
    from infra.local.stack import free_port, moto_server

    os.environ.pop("AWS_ENDPOINT_URL", None)
    port = free_port()
    server = moto_server(port)
    server.start()
    try:
        with local_stack_in_process(f"http://127.0.0.1:{port}"):
            from care_tracker import wiring
            from care_tracker.services.cqc_import import import_cqc_locations

            columns = header()
            rows = [location_values(n) for n in range(200)]
            wiring.object_store()
            import_cqc_locations(csv_text(columns, rows).splitlines(keepends=True), wiring.location_directory(),
                                 wiring.account_service(), file_date=datetime(2026, 10, 1).date(), users=wiring.users())
            from chalice.test import Client

            from app import app

            postcode = rows[0]["Location Postal Code"]
            with counting_dynamodb() as counter:
                _fresh_connections()
                with Client(app) as client:
                    response = client.http.get(f"/locations/search?postcode={postcode.lower().replace(' ', '%20%20')}")
            assert response.status_code == 200, response.body
            import json

            found = len(json.loads(response.body)["locations"])
            return {"search_dynamodb_requests": counter.total, "search_dynamodb_calls": dict(counter.calls),
                    "search_locations_found": found, "search_target": 1}
    finally:
        server.stop()


def main() -> dict:
    figures: dict = {}
    figures.update(search_figures())
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        figures.update(import_figures(Path(tmp)))
    for key, value in figures.items():
        print(f"accounts  {key}: {value}")
    return figures


if __name__ == "__main__":
    if sys.argv[1:] == ["--import-child"]:
        import json
        import logging

        logging.disable(logging.INFO)
        print(json.dumps(_child_import()))
    else:
        main()
