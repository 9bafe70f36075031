"""What the model needs to know about this machine to answer well — and nothing more.

Collected: OS and distribution, the user's shell, the working directory's *name* (not its
path: the path can hold a user or customer name), which of a list of useful programs are
installed, and — only when the user opted in (`[ccgpt.suggest] list_files = true`) — up to
`max_listing` entry names of the working directory. Never file contents.

Everything here ends up in a prompt as data; nothing here is trusted as an instruction.
"""

from __future__ import annotations

import os
import platform
import shutil
from dataclasses import dataclass, field
from pathlib import Path

# Programs whose presence changes the best answer (rg instead of grep -r, fd/fdfind instead of
# find, jq for JSON, ...). Only their names are sent, and only the installed ones.
CANDIDATE_PROGRAMS = (
    "rg", "fd", "fdfind", "jq", "yq", "tree", "ncdu", "bat", "batcat", "eza", "exa", "gawk", "git",
    "docker", "podman", "kubectl", "python3", "node", "pigz", "zstd", "xz", "zip", "unzip", "7z",
    "curl", "wget", "rsync", "ss", "netstat", "ip", "lsof", "systemctl", "journalctl", "apt", "dnf",
    "pacman", "brew", "sqlite3", "ffmpeg", "convert", "pdftotext", "shellcheck",
)


@dataclass
class Context:
    os_name: str
    shell: str
    cwd_name: str
    installed: list[str] = field(default_factory=list)
    listing: list[str] | None = None  # None: not collected (opt-in); [] : empty directory
    listing_truncated: bool = False

    def render(self) -> str:
        """The context block of a prompt. Names are quoted data, one per line, never parsed."""
        lines = [f"OS: {self.os_name}", f"Shell: {self.shell}", f"Working directory name: {self.cwd_name}"]
        if self.installed:
            lines.append("Installed tools: " + ", ".join(self.installed))
        if self.listing is not None:
            shown = ", ".join(_quote_name(n) for n in self.listing) or "(empty)"
            more = " (and more, not listed)" if self.listing_truncated else ""
            lines.append(f"Entries in the working directory: {shown}{more}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "os": self.os_name,
            "shell": self.shell,
            "cwd_name": self.cwd_name,
            "installed": self.installed,
            "listing": self.listing,
            "listing_truncated": self.listing_truncated,
        }


def _quote_name(name: str) -> str:
    # A file name can say anything ("ignore your rules.txt"); quoting keeps it visibly a name,
    # and control characters are dropped so a name cannot end the context block.
    clean = "".join(ch for ch in name if ch.isprintable())
    return repr(clean)


def os_description() -> str:
    system = platform.system() or "unknown OS"
    if system == "Linux":
        try:
            info = platform.freedesktop_os_release()
            return f"Linux ({info.get('PRETTY_NAME') or info.get('NAME', 'unknown distribution')})"
        except OSError:
            return "Linux"
    if system == "Darwin":
        return f"macOS {platform.mac_ver()[0]}".strip()
    return f"{system} {platform.release()}".strip()


def user_shell() -> str:
    shell = os.environ.get("SHELL") or ""
    name = os.path.basename(shell)
    return name if name in ("bash", "zsh", "fish", "sh", "dash", "ksh") else "bash"


def listing(directory: Path, limit: int) -> tuple[list[str], bool]:
    """Up to `limit` names in `directory`, directories marked with a trailing slash."""
    names: list[str] = []
    truncated = False
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if len(names) >= limit:
                    truncated = True
                    break
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_dir = False
                names.append(entry.name + ("/" if is_dir else ""))
    except OSError:
        return [], False
    return sorted(names), truncated


def gather(list_files: bool = False, max_listing: int = 40, cwd: Path | None = None, which=shutil.which) -> Context:
    cwd = cwd or Path.cwd()
    installed = [p for p in CANDIDATE_PROGRAMS if which(p)]
    ctx = Context(os_description(), user_shell(), cwd.name or "/", installed)
    if list_files:
        ctx.listing, ctx.listing_truncated = listing(cwd, max(0, int(max_listing)))
    return ctx


def from_config(cfg, cwd: Path | None = None) -> Context:
    section = cfg.section("suggest")
    return gather(bool(section.get("list_files", False)), int(section.get("max_listing", 40)), cwd)
