"""What a caller may tell the pure classifier about the machine, through a probe it passes in:
`classify(command, probe=…)`. The classifier never touches the filesystem itself; `ccgpt check`
(and run, suggest, the MCP server) pass the real one (`ccgpt.run.fsprobe.FilesystemProbe`).

Paths reach the probe spelt as the engine resolved them: `~/…` (home), `/…` (absolute) or
relative to the working directory of the command line. A probe may also say where that is
(`cwd`, an absolute path): a line started in home, `/` or a system directory is then read as
if it began with a `cd` there (`rm -rf *` in home is a home wipe)."""

from __future__ import annotations

from typing import Protocol


class Probe(Protocol):
    @property
    def home(self) -> str | None:
        """The absolute home directory (`/var/lib/jenkins` for a service account), or None."""

    def exists(self, path: str) -> bool | None:
        """Whether `path` exists (a symlink counts); None when that cannot be told."""

    def is_dir(self, path: str) -> bool:
        """Whether `path` is an existing directory."""

    def is_file(self, path: str) -> bool:
        """Whether `path` is an existing regular file."""

    def read(self, path: str, limit: int) -> str | None:
        """The text of a small regular file (at most `limit` characters), or None."""


def cwd_of(probe: Probe | None) -> str | None:
    """The absolute working directory the probe reports (an optional attribute), or None."""
    cwd = getattr(probe, "cwd", None)
    return cwd if isinstance(cwd, str) and cwd.startswith("/") else None


def home_of(probe: Probe | None) -> str | None:
    """The probe's home directory, normalised, when it is an absolute path other than `/`."""
    home = probe.home if probe is not None else None
    if not home or not home.startswith("/"):
        return None
    home = "/" + home.strip("/")
    return home if home != "/" else None
