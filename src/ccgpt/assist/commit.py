"""The `commit` use case: a staged diff -> a commit message that is safe to hand to git.

The model's answer is untrusted text. It is cleaned into a message before anyone sees it:
escape sequences, control and invisible characters removed; code fences, labels
("Commit message:") and comment lines dropped; the subject made one line of at most 72
characters (a Conventional Commits `type: ` prefix added when the style asks for one and the
model gave none); the body re-wrapped at 72. `problems()` checks the result, and a message
that cannot be made valid falls back to a subject built from the diff's file names, so git
never receives an empty or malformed message from us.
"""

from __future__ import annotations

import html
import re
import textwrap

from ccgpt.assist.diffdigest import budget_chars, context_tokens, digest
from ccgpt.assist.gitdiff import FileDiff
from ccgpt.llm.base import Backend, Message, Options

SUBJECT_MAX = 72
BODY_WIDTH = 72
BODY_MAX_LINES = 20
TYPES = ("feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci", "chore", "revert")
STYLES = ("conventional", "plain")
_CONVENTIONAL = re.compile(r"^(?P<type>[a-z]+)(?:\((?P<scope>[\w./ -]+)\))?(?P<bang>!)?: (?P<desc>\S.*)$")
_LOOSE_TYPE = re.compile(r"^(?P<type>[A-Za-z]+)\s*(?:\((?P<scope>[^)]*)\))?\s*(?P<bang>!)?\s*:\s*(?P<desc>.+)$")
_FENCE = re.compile(r"```[\w-]*\n(.*?)(?:```|\Z)", re.DOTALL)
_LABEL = re.compile(r"^(?:here(?: is|'s)[^:]*|(?:suggested |proposed )?commit message|subject|title|message|body)\s*:\s*",
                    re.IGNORECASE)
# A small model sometimes echoes the diff back: the message ends where diff text begins.
_DIFF_TEXT = re.compile(r"diff --git |^index [0-9a-f]{7}|^(?:---|\+\+\+) (?:a/|b/|/dev/null)|@@ -\d")
RESERVED_TOKENS = 700  # system prompt, instructions, the worked example and the answer

EXAMPLE_DIFF = """Files changed:
- src/app/config.py (modified, +3 -1)

diff --git a/src/app/config.py b/src/app/config.py
@@ -10,4 +10,6 @@ def load(path):
-    data = open(path).read()
+    if not os.path.exists(path):
+        return DEFAULTS
+    data = open(path).read()
     return parse(data)"""
EXAMPLE_MESSAGE = {
    "conventional": "fix(config): fall back to the defaults when the file is missing\n\n"
                    "load() raised FileNotFoundError on a fresh install; it now returns\nDEFAULTS instead.",
    "plain": "Fall back to the defaults when the config file is missing\n\n"
             "load() raised FileNotFoundError on a fresh install; it now returns\nDEFAULTS instead.",
}


def scrub(text: str) -> str:
    """Text with escape sequences, controls (but newline and tab) and invisible characters removed."""
    from ccgpt.term.sanitize import INVISIBLE, sanitize

    return sanitize(INVISIBLE.sub("", text)).replace("\t", " ")


def infer_type(files: list[FileDiff]) -> str:
    """A Conventional Commits type from the paths alone, for when the model gave none."""
    paths = [f.path for f in files]
    if not paths:
        return "chore"

    def every(test) -> bool:
        return all(test(p.lower()) for p in paths)

    if every(lambda p: p.endswith((".md", ".rst", ".txt", ".adoc")) or p.startswith(("docs/", "doc/"))):
        return "docs"
    if every(lambda p: p.startswith(("tests/", "test/")) or "/tests/" in p or p.rsplit("/", 1)[-1].startswith("test_")):
        return "test"
    if every(lambda p: p.startswith((".github/", ".ci/", ".gitlab-ci", ".circleci/"))):
        return "ci"
    if any(f.status == "added" for f in files):
        return "feat"
    return "chore"


def fallback_subject(files: list[FileDiff]) -> str:
    names = [f.path.rsplit("/", 1)[-1] for f in files[:3]]
    more = f" and {len(files) - 3} more" if len(files) > 3 else ""
    return "update " + (", ".join(names) if names else "files") + more


def _shorten(subject: str, limit: int = SUBJECT_MAX) -> str:
    subject = subject.rstrip(" .:;,")
    if len(subject) <= limit:
        return subject
    cut = subject[: limit + 1].rsplit(" ", 1)[0]
    if len(cut) < limit // 2:  # one very long word: cut it
        cut = subject[:limit]
    return cut.rstrip(" .,;:-")


def _conventional(subject: str, files: list[FileDiff]) -> str:
    m = _LOOSE_TYPE.match(subject)
    if m and m.group("type").lower() in TYPES:
        scope = re.sub(r"[^\w./ -]", "", m.group("scope") or "").strip()
        desc = m.group("desc").strip()
        return f"{m.group('type').lower()}{f'({scope})' if scope else ''}{'!' if m.group('bang') else ''}: {desc}"
    return f"{infer_type(files)}: {subject}"


def _wrap_body(lines: list[str]) -> list[str]:
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.extend(textwrap.wrap(" ".join(paragraph), BODY_WIDTH, break_on_hyphens=False))
            paragraph.clear()

    for line in lines:
        stripped = line.strip()
        bullet = re.match(r"^([-*]|\d+[.)])\s+", stripped)
        if not stripped:
            flush()
            if out and out[-1] != "":
                out.append("")
        elif bullet:
            flush()
            indent = " " * len(bullet.group(0))
            out.extend(textwrap.wrap(stripped, BODY_WIDTH, subsequent_indent=indent, break_on_hyphens=False))
        else:
            paragraph.append(stripped)
    flush()
    while out and out[-1] == "":
        out.pop()
    return out[:BODY_MAX_LINES]


def clean_message(text: str, files: list[FileDiff], style: str = "conventional") -> str:
    """A valid commit message from a model's answer (see the module docstring)."""
    text = scrub(html.unescape(text))
    fence = _FENCE.search(text)
    if fence and fence.group(1).strip():
        text = fence.group(1)
    lines = [l.rstrip() for l in text.split("\n") if not l.lstrip().startswith("#") and l.strip() != "```"]
    echoed = next((i for i, l in enumerate(lines) if _DIFF_TEXT.search(l)), None)
    if echoed is not None:
        lines = lines[:echoed]
    while lines and not lines[0].strip():
        lines.pop(0)
    subject = _LABEL.sub("", lines[0].strip()) if lines else ""
    if not subject and len(lines) > 1:  # "Commit message:" alone on its line
        lines = lines[1:]
        while lines and not lines[0].strip():
            lines.pop(0)
        subject = lines[0].strip() if lines else ""
    subject = subject.strip("`*\"' ").strip()
    if not re.search(r"[A-Za-z]", subject):
        subject = fallback_subject(files)
    if style == "conventional":
        subject = _conventional(subject, files)
    subject = _shorten(subject)
    body = _wrap_body([_LABEL.sub("", l) for l in lines[1:]])
    if body and body[0].strip().rstrip(".") == subject.split(": ", 1)[-1].rstrip("."):
        body = body[1:]  # the model repeated its subject
    return subject + ("\n\n" + "\n".join(body) if body else "") + "\n"


def problems(message: str, style: str = "conventional") -> list[str]:
    """Why `message` is not a valid commit message for `style` (empty: it is valid)."""
    found = []
    if scrub(message) != message:
        found.append("contains control, escape or invisible characters")
    lines = message.rstrip("\n").split("\n")
    subject = lines[0] if lines else ""
    if not subject.strip():
        found.append("the subject line is empty")
    if len(subject) > SUBJECT_MAX:
        found.append(f"the subject is {len(subject)} characters (at most {SUBJECT_MAX})")
    conventional = _CONVENTIONAL.match(subject)
    if style == "conventional" and not (conventional and conventional.group("type") in TYPES):
        found.append("the subject is not `type(scope): description` with a Conventional Commits type")
    if len(lines) > 1 and lines[1].strip():
        found.append("the subject must be followed by a blank line")
    long = [i + 1 for i, l in enumerate(lines[2:], start=2) if len(l) > BODY_WIDTH]
    if long:
        found.append(f"body line {long[0]} is longer than {BODY_WIDTH} characters")
    return found


def _instructions(style: str) -> str:
    form = ("in Conventional Commits form, `type(scope): description`, where type is one of "
            + ", ".join(TYPES) + " and the scope is optional" if style == "conventional" else "in the imperative mood")
    return ("Write the commit message for the change below. First line: a subject of at most 72 characters, "
            f"{form}. Then, only if the subject is not enough, a blank line and a short body wrapped at 72 "
            "characters saying what changed and why.")


def commit_messages(diff_text: str, system: str, style: str = "conventional") -> list[Message]:
    style = style if style in STYLES else "conventional"
    diff_text = re.sub(r"<\s*/\s*diff\s*>", "</ diff>", diff_text, flags=re.IGNORECASE)
    return [
        Message("system", system),
        Message("user", f"{_instructions(style)}\n\n<diff>\n{EXAMPLE_DIFF}\n</diff>"),
        Message("assistant", EXAMPLE_MESSAGE[style]),
        Message("user", f"{_instructions(style)}\n\n<diff>\n{diff_text}\n</diff>"),
    ]


def generate(backend: Backend, model: str, files: list[FileDiff], *, cfg, system: str,
             style: str = "conventional", temperature: float | None = 0.2, seed: int | None = None):
    """(message, completion, digest) for the staged `files`."""
    planned = digest(files, budget_chars(context_tokens(cfg, backend), RESERVED_TOKENS))
    options = Options(temperature=temperature, max_tokens=200, seed=seed)
    completion = backend.chat(model, commit_messages(planned.text, system, style), options)
    return clean_message(completion.text, files, style), completion, planned
