"""Where ccgpt keeps its files, following each platform's conventions (no import cost).

Linux/BSD: $XDG_CONFIG_HOME/ccgpt and $XDG_DATA_HOME/ccgpt (defaults ~/.config, ~/.local/share);
macOS: ~/Library/Application Support/ccgpt for both. CCGPT_DATA_DIR overrides the data directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "ccgpt"


def _home() -> Path:
    return Path(os.environ.get("HOME") or os.path.expanduser("~"))


def config_dir() -> Path:
    if sys.platform == "darwin":
        return _home() / "Library" / "Application Support" / APP
    base = os.environ.get("XDG_CONFIG_HOME")
    return Path(base) / APP if base else _home() / ".config" / APP


def data_dir() -> Path:
    override = os.environ.get("CCGPT_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform == "darwin":
        return _home() / "Library" / "Application Support" / APP
    base = os.environ.get("XDG_DATA_HOME")
    return Path(base) / APP if base else _home() / ".local" / "share" / APP


def user_config_file() -> Path:
    return config_dir() / "config.toml"


def store_file() -> Path:
    return data_dir() / "ccgpt.db"


def ensure_private_dir(path: Path) -> Path:
    """Create a directory readable only by its owner (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
