"""Builds the package once per test session (into a temporary directory, reusing the layer cache
in build/layer-cache/) and gives the tests its pieces."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from infra import package

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("package")
    out = work / "out"
    figures = package.build(out, work=work)
    return {"out": out, "work": work, "figures": figures}


@pytest.fixture(scope="session")
def out_dir(built) -> Path:
    return built["out"]


@pytest.fixture(scope="session")
def sam(out_dir) -> dict:
    return json.loads((out_dir / "sam.json").read_text())


@pytest.fixture(scope="session")
def extracted(out_dir, tmp_path_factory) -> dict[str, Path]:
    """deployment.zip as Lambda unpacks it (/var/task) and layer.zip as it does (/opt)."""
    root = tmp_path_factory.mktemp("lambda")
    task, opt = root / "task", root / "opt"
    with zipfile.ZipFile(out_dir / "deployment.zip") as zf:
        zf.extractall(task)
    with zipfile.ZipFile(out_dir / "layer.zip") as zf:
        zf.extractall(opt)
    return {"task": task, "opt": opt, "root": root}
