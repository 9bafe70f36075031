"""Redaction over a corpus of every secret format issue 14 names, plus ordinary lines that must
pass unchanged (prose about passwords, git hashes, UUIDs, digests, paths, command lines)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccgpt.security.redact import MASK, redact

CORPUS = Path(__file__).resolve().parents[2] / "bench" / "data" / "redaction_corpus.json"
ROWS = [(r["kind"], r["expect"], r["text"], r["secret"]) for r in json.loads(CORPUS.read_text(encoding="utf-8"))["rows"]]


def test_the_corpus_covers_every_named_format():
    kinds = {kind for kind, expect, _, _ in ROWS if expect == "secret"}
    for named in ("stripe-live", "huggingface", "npm", "github-classic", "github-fine-grained", "aws-secret-bare",
                  "password-is", "mysql-p", "curl-u"):
        assert named in kinds
    assert sum(1 for _, expect, _, _ in ROWS if expect == "keep") >= 25


@pytest.mark.parametrize("kind,text,secret", [(k, t, s) for k, e, t, s in ROWS if e == "secret"])
def test_secret_is_removed(kind, text, secret):
    out = redact(text)
    assert secret not in out and MASK in out, (kind, out)
    assert redact(out) == out  # idempotent: a redacted text stays as it is


@pytest.mark.parametrize("kind,text", [(k, t) for k, e, t, _ in ROWS if e == "keep"])
def test_ordinary_text_is_unchanged(kind, text):
    assert redact(text) == text, kind


def test_what_is_around_a_secret_stays():
    assert redact("mysql -u root -phunter22 shop") == f"mysql -u root -p{MASK} shop"
    assert redact("curl -u alice:wonderland42 https://api.example.com") == \
        f"curl -u alice:{MASK} https://api.example.com"
    assert redact("my password is hunter2 ok?") == f"my password is {MASK} ok?"
