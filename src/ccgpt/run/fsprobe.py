"""The real filesystem probe for the risk engine (`ccgpt.risk.probes.Probe`): whether a write
target exists (overwrite or create), where home is, and the text of a script run by name.

It lives outside `risk/` so the classifier's import closure stays pure; `ccgpt check` passes
it (and so can run, suggest and the MCP server). It only ever stats and reads: never follows a
path it was not given, never reads more than asked, never reads anything but regular files."""

from __future__ import annotations

import os
import stat

from ccgpt.risk.paths import placeholder


class FilesystemProbe:
    """Paths arrive as the engine spells them: `~/…`, absolute, or relative to `cwd`."""

    def __init__(self, cwd: str | None = None, home: str | None = None) -> None:
        self._home = home if home is not None else os.path.expanduser("~")
        self.cwd = _home_spelling(cwd if cwd is not None else os.getcwd(), self.home)

    @property
    def home(self) -> str | None:
        return self._home if self._home and self._home.startswith("/") else None

    def _real(self, path: str) -> str | None:
        if not path or placeholder(path):  # DYNAMIC, a find entry, `<archive member>`: not a path
            return None
        if path == "~" or path.startswith("~/"):
            if not self.home:
                return None
            path = self.home + path[1:]
        return path if os.path.isabs(path) else os.path.join(self.cwd, path)

    def _stat(self, path: str, follow: bool = True) -> os.stat_result | None:
        real = self._real(path)
        if real is None:
            return None
        try:
            return os.stat(real) if follow else os.lstat(real)
        except (OSError, ValueError):
            return None

    def exists(self, path: str) -> bool | None:
        if self._real(path) is None:
            return None
        if self._stat(path, follow=False) is not None:
            return True
        # Absent, or out of sight? Only a directory we can search answers "absent".
        parent = os.path.dirname(self._real(path) or "") or "/"
        return False if os.path.isdir(parent) and os.access(parent, os.X_OK) else None

    def is_dir(self, path: str) -> bool:
        st = self._stat(path)
        return st is not None and stat.S_ISDIR(st.st_mode)

    def is_file(self, path: str) -> bool:
        st = self._stat(path)
        return st is not None and stat.S_ISREG(st.st_mode)

    def read(self, path: str, limit: int) -> str | None:
        st = self._stat(path)
        if st is None or not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        try:
            with open(self._real(path) or "", "rb") as fh:
                data = fh.read(limit + 1)
        except OSError:
            return None
        if len(data) > limit or b"\x00" in data:
            return None  # too big, or not text (a program binary)
        return data.decode("utf-8", "replace")


def _home_spelling(cwd: str, home: str | None) -> str:
    """`cwd` spelt under `home` when it is there by another name (os.getcwd() gives the
    physical path; $HOME may run through a symlink), so that the engine sees a line started
    in home as one (probes.cwd_of)."""
    if not home or not os.path.isabs(cwd) or cwd == home or cwd.startswith(home.rstrip("/") + "/"):
        return cwd
    try:
        real = os.path.realpath(home)
    except (OSError, ValueError):
        return cwd
    if real != "/" and (cwd == real or cwd.startswith(real + "/")):
        return home.rstrip("/") + cwd[len(real):]
    return cwd
