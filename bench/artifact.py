"""Artifact sizes (issue 2: the application zip at most 5 MB; everything unzipped at most 50 MB).

Builds the package as `make package` does, into a temporary directory (the layer comes from the
cache in build/layer-cache/ when requirements.txt and constraints.txt have not changed), and
measures deployment.zip, layer.zip and the two unzipped together."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from infra import package

LIMITS = {"app_zip_mb": 5.0, "unzipped_mb": 50.0}


def main() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="artifact-") as tmp:
        started = time.perf_counter()
        figures = package.build(Path(tmp) / "out", work=Path(tmp))
        build_s = time.perf_counter() - started
    print(f"artifact: deployment.zip {figures['app_zip_mb']:.3f} MB (limit {LIMITS['app_zip_mb']:g}), "
          f"layer.zip {figures['layer_zip_mb']:.3f} MB, "
          f"unzipped together {figures['unzipped_mb']:.3f} MB (limit {LIMITS['unzipped_mb']:g}); built in {build_s:.1f} s")
    for name, limit in LIMITS.items():
        if figures[name] > limit:
            print(f"artifact: OVER THE LIMIT: {name} {figures[name]} > {limit}")
    return figures


if __name__ == "__main__":
    main()
