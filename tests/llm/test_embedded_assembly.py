"""Assembling an embedded model from chunk packages: the happy path and every way it can fail.

Fake chunk packages are built by the tests (a few MB each, with an `__init__` that would abort
the process if anything imported it); one test assembles the real 1.1 GB default model.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ccgpt.llm.embedded import assemble, catalog
from ccgpt.llm.embedded.catalog import Chunk, EmbeddedModel

SRC = Path(__file__).resolve().parents[2] / "src"
CHUNK = 5 * 1024 * 1024  # more than one 4 MiB copy block per chunk, so progress is seen mid-chunk


def build_packages(site: Path, prefix: str, count: int = 3, last: int = 1234567) -> EmbeddedModel:
    """count chunk packages under `site`, and the catalog entry that describes them."""
    digest = hashlib.sha256()
    chunks = []
    for i in range(1, count + 1):
        pkg = site / f"{prefix}_part{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("import os\nos._exit(99)  # a chunk package must never be imported\n")
        data = (bytes([i]) * 251 + os.urandom(5))[:256] * ((CHUNK if i < count else last) // 256)
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(data)
        digest.update(data)
        chunks.append(Chunk(f"{prefix}_part{i}", f"data/part{i:02d}.bin", len(data)))
    return EmbeddedModel(
        name=f"{prefix}-model", filename=f"{prefix}.gguf", size=sum(c.size for c in chunks), sha256=digest.hexdigest(),
        license="Apache-2.0", parameter_size="1M", quantization="Q4_K_M", family="test", prompt_format="chatml",
        source="test", extra="models-test", pip_packages=tuple(f"{prefix}-part{i}==1.0" for i in range(1, count + 1)),
        chunks=tuple(chunks))


@pytest.fixture
def fake(tmp_path, monkeypatch, request):
    site = tmp_path / "site"
    prefix = "fk" + hashlib.sha1(request.node.name.encode()).hexdigest()[:8]
    model = build_packages(site, prefix)
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    return model, site, tmp_path / "models"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock")) if folder.exists() else []


def test_assembles_a_verified_file_without_importing_the_packages(fake):
    model, _, folder = fake
    seen = []
    path = assemble.ensure(model, folder, progress=lambda done, total: seen.append((done, total)))
    assert path == folder / model.filename and path.stat().st_size == model.size
    assert hashlib.sha256(path.read_bytes()).hexdigest() == model.sha256
    assert seen[-1] == (model.size, model.size) and len(seen) > 3
    assert not any(c.package in sys.modules for c in model.chunks)
    assert leftovers(folder) == [model.filename]
    assert assemble.installed_path(model, folder) == path
    assert assemble.ensure(model, folder, progress=lambda d, t: seen.append("again")) == path
    assert "again" not in seen  # a second use finds the file and copies nothing


def test_a_corrupted_chunk_leaves_nothing_behind(fake):
    model, site, folder = fake
    part = site / model.chunks[1].package / model.chunks[1].relpath
    data = bytearray(part.read_bytes())
    data[1000] ^= 0xFF  # same size, one bit pattern off
    part.write_bytes(bytes(data))
    with pytest.raises(assemble.AssemblyError, match=r"^the assembled fk\w+-model has sha256 \w+…, expected "
                                                    + model.sha256[:16] + "… — a chunk package is corrupt"):
        assemble.ensure(model, folder)
    assert leftovers(folder) == []


def test_a_missing_chunk_names_the_extra_to_install(fake):
    model, site, folder = fake
    import shutil

    shutil.rmtree(site / model.chunks[2].package)
    importlib.invalidate_caches()
    with pytest.raises(assemble.AssemblyError) as err:
        assemble.ensure(model, folder)
    message = str(err.value)
    assert "1 of 3 chunk packages missing: " + model.chunks[2].package.replace("_", "-") in message
    assert "pip install 'codexcontinue[models-test]'" in message and "\n" not in message
    assert leftovers(folder) == []
    assert not assemble.available(model, folder)


def test_a_truncated_chunk_is_reported_before_writing(fake):
    model, site, folder = fake
    part = site / model.chunks[0].package / model.chunks[0].relpath
    part.write_bytes(part.read_bytes()[:-1])
    with pytest.raises(assemble.AssemblyError, match=f"has {CHUNK - 1} bytes, expected {CHUNK} — the package"):
        assemble.ensure(model, folder)
    assert leftovers(folder) == []


def test_a_full_disk_is_refused_before_writing(fake, monkeypatch):
    model, _, folder = fake
    real = assemble.shutil.disk_usage
    monkeypatch.setattr(assemble.shutil, "disk_usage", lambda p: real(p)._replace(free=model.size // 2))
    with pytest.raises(assemble.AssemblyError, match="not enough disk space in .* it needs .* GB free — free some"):
        assemble.ensure(model, folder)
    assert leftovers(folder) == []


SCRIPT = """
import json, os, sys, time
from pathlib import Path
from ccgpt.llm.embedded import assemble
from ccgpt.llm.embedded.catalog import Chunk, EmbeddedModel
spec = json.loads(sys.argv[1])
model = EmbeddedModel(**{**spec, "chunks": tuple(Chunk(*c) for c in spec["chunks"])})
marker = Path(sys.argv[3])
def slow(done, total):
    marker.touch()
    time.sleep(float(sys.argv[4]))
already = assemble.installed_path(model, Path(sys.argv[2])) is not None
path = assemble.ensure(model, Path(sys.argv[2]), progress=slow)
print(json.dumps({"path": str(path), "already": already}))
"""


def start(model: EmbeddedModel, site: Path, folder: Path, marker: Path, delay: float) -> subprocess.Popen:
    spec = {k: v for k, v in model.__dict__.items()}
    spec["chunks"] = [[c.package, c.relpath, c.size] for c in model.chunks]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(site)])}
    return subprocess.Popen([sys.executable, "-c", SCRIPT, json.dumps(spec), str(folder), str(marker), str(delay)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for(marker: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_two_first_uses_at_once_assemble_once(fake, tmp_path):
    model, site, folder = fake
    first = start(model, site, folder, tmp_path / "m1", 0.05)
    wait_for(tmp_path / "m1", first)  # the first one holds the lock and is writing
    second = start(model, site, folder, tmp_path / "m2", 0.05)
    out1, out2 = first.communicate(timeout=120), second.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, out1[1] + out2[1]
    r1, r2 = json.loads(out1[0]), json.loads(out2[0])
    assert r1["path"] == r2["path"] == str(folder / model.filename)
    assert not (tmp_path / "m2").exists()  # the second waited on the lock, then found the file: no copy
    assert hashlib.sha256(Path(r1["path"]).read_bytes()).hexdigest() == model.sha256
    assert leftovers(folder) == [model.filename]


def test_an_assembly_killed_midway_leaves_a_usable_state(fake, tmp_path):
    model, site, folder = fake
    proc = start(model, site, folder, tmp_path / "m", 30)
    wait_for(tmp_path / "m", proc)  # one block written, then it sleeps: kill it there
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert assemble.installed_path(model, folder) is None  # no file under the real name
    assert [n for n in leftovers(folder) if n.endswith(".partial")]  # only a partial file
    path = assemble.ensure(model, folder)  # the next use cleans up and assembles
    assert hashlib.sha256(path.read_bytes()).hexdigest() == model.sha256
    assert leftovers(folder) == [model.filename]


def test_chunk_sizes_in_the_catalog_add_up():
    for model in catalog.MODELS:
        if model.chunks:
            assert sum(c.size for c in model.chunks) == model.size
            assert len(model.pip_packages) == len(model.chunks)


@pytest.mark.slow
def test_the_real_default_model_assembles_and_verifies(assembled_models_dir):
    model = catalog.get(catalog.DEFAULT)
    path = assemble.installed_path(model, assembled_models_dir)
    assert path is not None and path.stat().st_size == 1_117_320_768
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(16 * 1024 * 1024):
            digest.update(block)
    assert digest.hexdigest() == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    with open(path, "rb") as fh:
        assert fh.read(4) == b"GGUF"
    assert not any(c.package in sys.modules for c in model.chunks)
