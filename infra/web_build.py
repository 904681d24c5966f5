"""Build the web client into build/web/ (run by `make run`, `make test` and `make package`).

    python -m infra.web_build [--force]

- `npm ci` when node_modules/ is missing or package-lock.json changed since the last install
  (its hash is kept in node_modules/.care-tracker-lock);
- Dart Sass compiles web/scss/app.scss (GOV.UK Frontend's Sass with our font stack and colours)
  to build/web/app.css;
- GOV.UK Frontend's ES module goes to build/web/govuk/, qrcode-generator's to build/web/vendor/; web/ (pages, scripts, our icons) is
  copied as it is; PNG and ICO app icons are drawn from our brand colour (no GOV.UK crown).
Nothing is rebuilt when no input is newer than its output.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "web"
OUT = ROOT / "build" / "web"
MODULES = ROOT / "node_modules"
LOCK = ROOT / "package-lock.json"
LOCK_STAMP = MODULES / ".care-tracker-lock"
GOVUK = MODULES / "govuk-frontend" / "dist" / "govuk"
BRAND = (0x0B, 0x5C, 0x6B)  # the same teal as $brand in web/scss/app.scss
ICON_SIZES = (180, 192, 512)


def _log(text: str) -> None:
    print(f"web build: {text}", flush=True)


def _npm_ci() -> None:
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if MODULES.is_dir() and LOCK_STAMP.is_file() and LOCK_STAMP.read_text().strip() == digest:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("web build: npm is needed (Node.js 20+): apt-get install -y nodejs npm")
    _log("npm ci (package-lock.json changed or node_modules/ missing)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
    LOCK_STAMP.write_text(digest)


def _newest(paths) -> float:
    return max((p.stat().st_mtime for p in paths if p.is_file()), default=0.0)


def _sass() -> None:
    target = OUT / "app.css"
    inputs = [*SOURCE.glob("scss/**/*.scss"), LOCK]
    if target.is_file() and target.stat().st_mtime >= _newest(inputs):
        return
    _log("sass web/scss/app.scss -> build/web/app.css")
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(MODULES / ".bin" / "sass"), "--pkg-importer=node", "--style=compressed", "--no-source-map",
                    "--quiet-deps", str(SOURCE / "scss" / "app.scss"), str(target)], cwd=ROOT, check=True)


def _copy(source: Path, target: Path) -> None:
    if target.is_file() and target.stat().st_mtime >= source.stat().st_mtime and target.stat().st_size == source.stat().st_size:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _png(size: int) -> bytes:
    """A square app icon: our brand colour with a white tick (no crown, no GOV.UK mark)."""
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            u, v = x / size, y / size
            # the tick: two strokes, from (0.25, 0.52) to (0.43, 0.70) and on to (0.76, 0.32)
            on = _near(u, v, (0.25, 0.52), (0.43, 0.70)) or _near(u, v, (0.43, 0.70), (0.76, 0.32))
            row += bytes((255, 255, 255) if on else BRAND)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def _near(u: float, v: float, a: tuple[float, float], b: tuple[float, float], width: float = 0.06) -> bool:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((u - ax) * dx + (v - ay) * dy) / (dx * dx + dy * dy)))
    return (u - ax - t * dx) ** 2 + (v - ay - t * dy) ** 2 <= width * width


def _icons() -> None:
    images = OUT / "assets" / "images"
    images.mkdir(parents=True, exist_ok=True)
    if all((images / f"icon-{s}.png").is_file() for s in ICON_SIZES) and (images / "favicon.ico").is_file() \
            and (images / "favicon.ico").stat().st_mtime >= Path(__file__).stat().st_mtime:
        return
    for size in ICON_SIZES:
        (images / f"icon-{size}.png").write_bytes(_png(size))
    png = _png(48)  # an ICO holding one PNG image (supported by every current browser)
    (images / "favicon.ico").write_bytes(struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", 48, 48, 0, 0, 1, 32, len(png), 22) + png)


def build(force: bool = False) -> Path:
    if force and OUT.exists():
        shutil.rmtree(OUT)
    _npm_ci()
    _sass()
    _copy(GOVUK / "govuk-frontend.min.js", OUT / "govuk" / "govuk-frontend.min.js")
    # MFA enrolment draws the otpauth URI as a QR code in the browser (the secret never leaves it).
    _copy(MODULES / "qrcode-generator" / "dist" / "qrcode.mjs", OUT / "vendor" / "qrcode.js")
    for source in SOURCE.rglob("*"):
        if source.is_file() and source.suffix != ".scss":
            _copy(source, OUT / source.relative_to(SOURCE))
    _icons()
    return OUT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", action="store_true", help="delete build/web/ first")
    args = parser.parse_args(argv)
    out = build(force=args.force)
    _log(f"ready in {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
