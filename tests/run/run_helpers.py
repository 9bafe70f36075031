"""Constants shared by the sandbox tests (a plain module: `conftest` is ambiguous across dirs)."""

from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")
FAKE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nccgpt-test-fake-key-material-7f3a\n-----END OPENSSH PRIVATE KEY-----\n"
