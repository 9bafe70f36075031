"""Remove secrets from text before it is stored or logged.

Covers what people paste and what configs leak: API keys of the common providers, bearer
tokens, passwords in URLs, private key blocks, and `KEY=value` / `--password value` forms.
"""

from __future__ import annotations

import re

MASK = "[REDACTED]"

_PATTERNS: list[tuple[re.Pattern, str]] = [
    # PEM private keys (RSA, EC, OPENSSH, PGP ...), whole block
    (re.compile(r"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----.*?(?:-----END \1-----|\Z)", re.S), f"-----{MASK} PRIVATE KEY-----"),
    # Authorization headers and bearer tokens
    (re.compile(r"(?i)\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{12,}"), rf"\1 {MASK}"),
    # user:password@ in URLs
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+):[^@\s/]+@"), rf"\1:{MASK}@"),
    # well-known key shapes
    (re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}"), MASK),  # OpenAI, Anthropic
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"), MASK),  # GitHub
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}"), MASK),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), MASK),  # Slack
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), MASK),  # AWS access key id
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), MASK),  # Google API key
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), MASK),  # GitLab
    (re.compile(r"\bccgpt_[A-Za-z0-9_-]{20,}"), MASK),  # our own gateway keys
    # NAME=value and --name value where the name says secret
    (
        re.compile(
            r"(?i)\b([A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY)[A-Z0-9_]*)(\s*[=:]\s*)(['\"]?)[^\s'\"]{4,}\3"
        ),
        rf"\1\2\3{MASK}\3",
    ),
    (re.compile(r"(?i)(--?(?:password|passwd|token|api-?key|secret)[= ])(['\"]?)[^\s'\"]{4,}\2"), rf"\1\2{MASK}\2"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
