"""The risk engine's public API.

    classify(command, *, extra_rules=None) -> Verdict
    classify_script(text, *, extra_rules=None) -> Verdict

A Verdict has `.command`, `.level` ('safe' | 'review' | 'dangerous' | 'blocked'), `.findings`
(sorted, deduplicated `Finding(rule, level, message, span)` with [start, end) character
offsets into `.command`), `.to_json()` (the INTERFACE.md shape) and `.exit_code` (0/3/4/5).

Pure: no I/O, no global state besides caches of compiled things.
"""

from __future__ import annotations

import posixpath

from functools import lru_cache

from ccgpt.risk.lazyre import lazy_re
from ccgpt.term.invisible import BIDI, ZERO_WIDTH

from ccgpt.risk.levels import EXIT_CODES, LEVELS  # noqa: F401  (re-exported)
from ccgpt.risk import paths as P
from ccgpt.risk.model import Finding, Verdict, verdict_from
from ccgpt.risk.probes import Probe, cwd_of, home_of

__all__ = ["classify", "classify_script", "Verdict", "Finding", "LEVELS", "EXIT_CODES"]

_BIDI = lazy_re(f"[{BIDI}]")
_ZERO_WIDTH = lazy_re(f"[{ZERO_WIDTH}]")
# Lone surrogates (from JSON's "\ud800"): no character, no UTF-8. Those surrogateescape uses for
# undecodable bytes (U+DC80-U+DCFF) are kept: they stand for real bytes of the command.
_LONE_SURROGATE = lazy_re("[\ud800-\udc7f\udd00-\udfff]")
# Escape sequences other than plain SGR colour: cursor moves, erase, OSC titles/links, DCS …
_ESC = lazy_re(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[P^_X][^\x1b]*(?:\x1b\\)?|\x1b.?|[\x9b\x9d\x90]")
_SGR = lazy_re(r"\x1b\[[0-9;]*m")
_CONCEAL = lazy_re(r"(?:^|;)(8|30;40|37;47|90;100)(?:;|m)")
_OVERSTRIKE = lazy_re(r"\r(?!\n)|[\x08\x7f]")
# Other C0 controls (a form feed, a vertical tab, NUL) draw as nothing or as a line break, and
# spaces other than the ASCII one draw as a space while the shell reads them as part of a word
# (`rm -rf\u00a0/` shows as `rm -rf /`).
_CONTROL = lazy_re(r"[\x00-\x07\x0b\x0e-\x1a\x1c-\x1f\x80-\x8f\x91-\x9a\x9c\x9e\x9f]"
                   r"|(?<![\n])\x0c|\x0c(?![\n]|$)")  # a form feed alone on its line is a page break
_ODD_SPACE = lazy_re("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPLIT_FALLBACK = lazy_re(r"[;&|\n(){}`]+")
_KEYWORDS = lazy_re(r"^(\s*(then|do|else|elif|if|while|until|fi|done|esac|in|!|time|function)\s+)+")


# Interactive bash expands history before it parses a line (the key binding hands lines to one):
# `!!`, `!-2`, `!42`, `!rm`, `!?x?` (a `!` not followed by a blank, `=`, `(` or a closing quote)
# and `^old^new` at the start of the line rerun an earlier command, which is not known here.
# Single-quoted text and `\!` do not expand; scripts (classify_script) do not expand history.
_HISTORY = lazy_re(r"(?<!\\)!(?=[^\s=(\"])|^\s*\^[^^\n]*\^")
_SINGLE_QUOTED = lazy_re(r"'[^']*'")


def _history_findings(text: str) -> list[Finding]:
    if "!" not in text and "^" not in text:
        return []
    m = _HISTORY.search(_SINGLE_QUOTED.sub(lambda q: " " * len(q.group()), text))
    if m is None:
        return []
    from ccgpt.risk.rules.catalog import CATALOG

    r = CATALOG["unresolved-code"]
    start = m.start() + len(m.group()) - len(m.group().lstrip())
    return [Finding(r.name, r.level, "history expansion (`!!`, `!-1`, `^old^new`) reruns an earlier command, "
                    "which is not known here", (start, m.end()))]


def _quoted_positions(text: str) -> set[int]:
    """Offsets inside '…' or "…" (a plain scan: enough to tell text from word boundaries)."""
    inside: set[int] = set()
    quote, escaped = "", False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\" and quote != "'":
            escaped = True
        elif quote and ch == quote:
            quote = ""
        elif not quote and ch in "'\"":
            quote = ch
        elif quote:
            inside.add(i)
    return inside


def _text_findings(text: str) -> list[Finding]:
    """Findings about the characters themselves, before any parsing."""
    out: list[Finding] = []
    if (text.isascii() and "\x1b" not in text and "\r" not in text and "\x08" not in text and "\x7f" not in text
            and (text.isprintable() or not _CONTROL.search(text))):
        return out
    from ccgpt.risk.rules.catalog import CATALOG

    def add(name, m, message=None):
        r = CATALOG[name]
        out.append(Finding(r.name, r.level, message or r.message, (m.start(), max(m.end(), m.start() + 1))))

    for m in _BIDI.finditer(text):
        add("hidden-unicode", m, f"bidirectional control U+{ord(m.group()):04X} reorders what you see")
    for m in _ZERO_WIDTH.finditer(text):
        add("hidden-unicode", m, f"invisible character U+{ord(m.group()):04X}")
    for m in _ESC.finditer(text):
        seq = m.group()
        if _SGR.fullmatch(seq) and not _CONCEAL.search(seq[2:]):
            continue  # colour that hides nothing
        add("terminal-escape", m)
    for m in _OVERSTRIKE.finditer(text):
        add("terminal-escape", m, "carriage return or backspace lets later text overwrite earlier text")
    for m in _CONTROL.finditer(text):
        what = "a NUL byte, which bash drops: the words around it join" if m.group() == "\x00" else "a control character"
        add("hidden-unicode", m, f"{what} (U+{ord(m.group()):04X}) hides what runs")
    quoted = _quoted_positions(text) if _ODD_SPACE.search(text) else set()
    for m in _ODD_SPACE.finditer(text):
        if m.start() in quoted:
            continue  # inside quotes it is text (`echo '5\u00a0€'`), not a word boundary that isn't one
        add("hidden-unicode", m, f"U+{ord(m.group()):04X} looks like a space but the shell reads it as part of a word")
    for m in _LONE_SURROGATE.finditer(text):
        add("hidden-unicode", m, f"U+{ord(m.group()):04X} is no character (a lone surrogate): what runs is not what you read")
    return out


@lru_cache(maxsize=64)
def _compiled_user_rules(key):
    from ccgpt.risk.user_rules import compile_rules, make_checker

    return make_checker(compile_rules([dict(r) for r in key]))


def _freeze(rules):
    def freeze(v):
        if isinstance(v, dict):
            return tuple(sorted((k, freeze(x)) for k, x in v.items()))
        if isinstance(v, list):
            return tuple(freeze(x) for x in v)
        return v

    return tuple(freeze(r) for r in rules)


_ENGINE: tuple | None = None


def _engine() -> tuple:
    """(Analyzer, State, registry), imported on the first classification: importing the
    package stays light, and a call pays a global read, not three import statements."""
    global _ENGINE
    if _ENGINE is None:
        from ccgpt.risk.analyze import Analyzer
        from ccgpt.risk.rules import registry
        from ccgpt.risk.state import State

        _ENGINE = (Analyzer, State, registry)
    return _ENGINE


def _analyze(text: str, extra_rules, probe: Probe | None) -> list[Finding]:
    Analyzer, State, registry = _engine()
    user = None
    if extra_rules:
        key = _freeze(extra_rules)
        user = _compiled_user_rules(key) if all(isinstance(r, dict) for r in extra_rules) else None
        if user is None:
            from ccgpt.risk.user_rules import compile_rules, make_checker

            user = make_checker(compile_rules(extra_rules))
    state = State(registry(), user, probe)
    state.length = len(text)
    start = P.start_directory(cwd_of(probe), P.HOME_DIR.get())
    state.cwd = start
    a = Analyzer(text, state)
    a.walk()
    if any(f.rule == "parse-error" for f in state.findings):
        state.cwd = start
        _fallback(text, state)
    return state.findings


def _fallback(text: str, state) -> None:
    """Unparseable input: also read it as plain words between operators, quotes ignored, so an
    unbalanced quote cannot hide `rm -rf /` from the rules."""
    from ccgpt.risk.analyze import Analyzer

    pos = 0
    for m in list(_SPLIT_FALLBACK.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        if chunk.strip():
            cleaned = _KEYWORDS.sub("", chunk.replace("'", " ").replace('"', " ").replace("\\", ""))
            before = len(state.findings)
            # Both readings: the chunk as written (its quotes may be balanced) and with quotes
            # dropped (an unbalanced quote elsewhere may have swallowed it).
            for variant in {_KEYWORDS.sub("", chunk), cleaned}:
                try:
                    Analyzer(variant, state, (pos, end), depth=5).walk()
                except RecursionError:
                    pass
            # Only what the chunk *does* counts here: its own parse errors were reported already.
            state.findings[before:] = [f for f in state.findings[before:] if f.rule not in ("parse-error", "unknown-command")]
        pos = m.end() if m else len(text)


def classify(command: str, *, extra_rules=None, probe: Probe | None = None, interactive: bool = True) -> Verdict:
    """Classify one command line (which may hold several commands joined by ; && || | …).

    `interactive` (the default): the line is typed or pasted at a prompt, where bash expands
    history first, so `!!` and `^old^new` rerun a command not known here. An agent's tool or
    `ccgpt run` runs lines in a non-interactive shell, which expands none: they pass False.

    `probe` (probes.Probe), when given, answers what the text alone cannot: whether a write
    target exists (overwrite or create, RISK-POLICY reading 11), where home is, what a script
    run by name contains. The verdict's JSON then says `"probe": "filesystem"`."""
    return _classify(command, extra_rules, probe, interactive=interactive)


def _classify(command: str, extra_rules, probe: Probe | None, *, interactive: bool) -> Verdict:
    """`interactive`: read history expansion (`!!`, `^a^b`) as bash does at a prompt."""
    if not isinstance(command, str):
        raise TypeError("classify() takes the command as a str")
    findings = _text_findings(command) + (_history_findings(command) if interactive else [])
    if "\x00" in command:
        # bash drops NUL bytes from what it reads (`r\0m -rf /` runs `rm -rf /`): judge that text,
        # with its findings' spans mapped back onto the command as given.
        kept = [i for i, ch in enumerate(command) if ch != "\x00"] + [len(command)]
        inner = _classify(command.replace("\x00", ""), extra_rules, probe, interactive=interactive)
        findings += [Finding(f.rule, f.level, f.message, (kept[f.span[0]], kept[min(f.span[1], len(kept) - 1)]))
                     for f in inner.findings]
        v = verdict_from(command, findings)
        return v if probe is None else v.with_probe("filesystem")
    if command.strip():
        token = P.HOME_DIR.set(home_of(probe))
        here = cwd_of(probe)
        here_token = P.HERE_DIR.set(posixpath.normpath(here) if here else None)
        try:
            # The parser needs UTF-8: a lone surrogate is read as U+FFFD (one character for one,
            # so spans still point into `command`); its own finding comes from _text_findings.
            findings += _analyze(_LONE_SURROGATE.sub("\ufffd", command), extra_rules, probe)
        except RecursionError:
            from ccgpt.risk.rules import CATALOG

            r = CATALOG["too-deep"]
            findings.append(Finding(r.name, r.level, r.message, (0, len(command))))
        finally:
            P.HOME_DIR.reset(token)
            P.HERE_DIR.reset(here_token)
    v = verdict_from(command, findings)
    return v if probe is None else v.with_probe("filesystem")


def classify_script(text: str, *, extra_rules=None, probe: Probe | None = None) -> Verdict:
    """Classify a whole script: functions, heredocs, many lines; same rules as `classify`."""
    # A shebang line is a comment to the parser: nothing to strip. Scripts expand no history.
    return _classify(text, extra_rules, probe, interactive=False)
