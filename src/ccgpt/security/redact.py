"""Remove secrets from text before it is stored or logged.

Covers what people paste and what configs leak: API keys of the common providers (OpenAI,
Anthropic, GitHub, Stripe, Hugging Face, npm, PyPI, Slack, AWS, Google, GitLab, JWTs), bare AWS
secret keys, bearer tokens, passwords in URLs, private key blocks, `KEY=value` and
`--password value` forms, "my password is X", `mysql -pX` and `curl -u user:pw`.

Hand-written patterns were kept over detect-secrets' plugins (Apache-2.0) by measurement
(`bench/bench_redaction.py` on `bench/data/redaction_corpus.json`, 42 secrets in 23 formats and
31 ordinary lines): these remove 42/42 and change 0 ordinary lines; detect-secrets with all its
plugins flags every ordinary line too (its entropy plugins take git hashes, UUIDs and plain
words), without them it flags 16 of the 42 (none of the command-line or prose forms, no
Hugging Face key, no bare AWS secret); and it costs about 300 ms to import and 0.3-1.5 ms per
line, against about 3 ms (compiling these patterns) and under 0.1 ms here — the store imports
this module on every logged run.
"""

from __future__ import annotations

import re

MASK = "[REDACTED]"

# Words that follow "the password is" in ordinary sentences, not passwords.
_NOT_A_PASSWORD = (
    "wrong|incorrect|invalid|required|empty|correct|missing|not|too|set|unset|expired|changed|the|a|an|"
    "stored|hashed|encrypted|ok|fine|valid|weak|strong|saved|reset|blank|unknown|different|same|case|also|"
    "still|now|being|only|never|always|in|on|at|for|from|of|to|your|my|our|their|this|that|shown|hidden"
)
_MYSQL = r"(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mariadb|mariadb-dump)"

_PATTERNS: list[tuple[re.Pattern, str]] = [
    # PEM private keys (RSA, EC, OPENSSH, PGP ...), whole block
    (re.compile(r"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----.*?(?:-----END \1-----|\Z)", re.S), f"-----{MASK} PRIVATE KEY-----"),
    # well-known key shapes (a prefix that only these keys have)
    (re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}"), MASK),  # OpenAI, Anthropic
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), MASK),  # GitHub classic, OAuth, app, refresh
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"), MASK),  # GitHub fine-grained
    (re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}"), MASK),  # Stripe secret / restricted
    (re.compile(r"\bhf_[A-Za-z0-9]{30,}"), MASK),  # Hugging Face
    (re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), MASK),  # npm
    (re.compile(r"\bpypi-[A-Za-z0-9_-]{40,}"), MASK),  # PyPI upload token
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), MASK),  # Slack
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), MASK),  # AWS access key id
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), MASK),  # Google API key
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), MASK),  # GitLab
    (re.compile(r"\bccgpt_[A-Za-z0-9_-]{20,}"), MASK),  # our own gateway keys
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), MASK),  # JWT
    # Authorization headers and bearer tokens
    (re.compile(r"(?i)\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{12,}"), rf"\1 {MASK}"),
    # user:password@ in URLs
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+):[^@\s/]+@"), rf"\1:{MASK}@"),
    # command lines: mysql -pSECRET (attached; a lone -p prompts), curl -u user:SECRET
    (re.compile(rf"(\b{_MYSQL}\b[^\n|;&]*?\s-p)(['\"]?)(?=\S)[^\s'\"]+\2"), rf"\1\2{MASK}\2"),
    (re.compile(r"(\bcurl\b[^\n|;&]*?\s(?:-u|--user)(?:\s+|=)?)(['\"]?)([^\s:'\"]+):[^\s'\"]+\2"), rf"\1\2\3:{MASK}\2"),
    # prose: "my password is X", "the passphrase was X"
    (re.compile(rf"(?i)\b((?:password|passwd|passphrase|passcode)\s+(?:is|was)\s+)(['\"]?)"
                rf"(?!(?:{_NOT_A_PASSWORD})(?:[\s.,;:!?]|$))[^\s'\"]+\2"), rf"\1\2{MASK}\2"),
    # NAME=value and --name value where the name says secret
    (
        re.compile(
            r"(?i)\b([A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY)[A-Z0-9_]*)(\s*[=:]\s*)(['\"]?)[^\s'\"]{4,}\3"
        ),
        rf"\1\2\3{MASK}\3",
    ),
    (re.compile(r"(?i)(--?(?:[a-z]+-)*(?:password|passwd|token|api-?key|secret)[= ])(['\"]?)[^\s'\"]{4,}\2"), rf"\1\2{MASK}\2"),
]
# A bare AWS secret access key: 40 characters of base64's alphabet, standing alone.
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")


def _aws_secret(m: re.Match) -> str:
    """Random keys mix cases with digits or `/`/`+`; hashes are hex, identifiers and paths are not random."""
    s = m.group(0)
    randomish = re.search(r"[A-Z]", s) and re.search(r"[a-z]", s) and \
        (re.search(r"[/+]", s) or len(re.findall(r"\d", s)) >= 2) and s.count("/") <= 4
    return MASK if randomish and not re.fullmatch(r"[0-9a-fA-F]+", s) else s


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _AWS_SECRET.sub(_aws_secret, text)
