"""Pull shell commands out of what a model actually writes.

Models rarely answer with just a command. Real output mixes prose and code: fences with or
without a language, `$ ` prompts, numbered or bulleted lists, inline backticks, line
continuations, trailing `# explanations`, and — from tiny models — repeated or empty fences,
stray language labels (`bash` alone on a line) and prose that starts with a program name
("find the files..."). This module turns such text into a list of candidate command lines,
in the order the model gave them. It never judges whether a command is safe: that is the
risk engine's job, and everything returned here is still untrusted.

Order of evidence: fenced code beats `$ ` prompt lines, which beat list items and inline
backticks, which beat bare lines that merely look like commands. The first kind that yields
anything wins, so prose around a fence never leaks in as a "command".
"""

from __future__ import annotations

import re
import shutil

# Languages whose fences hold shell commands. An unknown language (python, json, text) is skipped:
# a Python snippet is not something to offer as a shell command.
_SHELL_LANGS = {"", "bash", "sh", "shell", "zsh", "console", "terminal", "shell-session", "shellsession",
                "fish", "ksh", "cmd", "command", "commandline", "bash-session"}
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+.-]*)[^\n]*$", re.MULTILINE)
# `$ ls`, `% ls`, `❯ ls`, `user@host:~/src$ ls`; never `>` (a redirection or a quote).
_PROMPT = re.compile(r"^\s*(?:[\w.-]+@[\w.-]+(?::[^\s$#%]*)?\s?)?[$%❯]\s+(\S.*)$")
_ROOT_PROMPT = re.compile(r"^\s*#\s+(\S.*)$")
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*+•])\s+(.*)$")
_INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
# Lines that are only a language label or a heading a model wrote instead of a fence.
_LABEL = re.compile(r"^\s*(?:#\s*)?(?:bash|sh|shell|zsh|console|code|command|output)\s*:?\s*$", re.IGNORECASE)
_SHELL_META = re.compile(r"[|<>;&$*]|\s-{1,2}\w")
_SENTENCE_END = re.compile(r"[.:!?]$")
_PROSE_WORDS = {"the", "a", "an", "to", "this", "that", "will", "you", "your", "is", "are", "of", "for",
                "and", "in", "it", "can", "with", "which", "here", "use", "using", "command", "following"}

BUILTINS = {"cd", "echo", "printf", "export", "source", ".", "alias", "unset", "set", "read", "test", "[",
            "[[", "type", "command", "exec", "eval", "history", "pwd", "umask", "ulimit", "wait", "jobs",
            "kill", "trap", "true", "false", "for", "while", "if", "until", "case", "time", "declare",
            "local", "let", "shopt", "builtin", "hash", "exit", "return", "shift", "getopts", "{", "("}


def installed(word: str) -> bool:
    """The default test for "is this a program": a shell builtin or something on PATH."""
    return word in BUILTINS or (bool(word) and shutil.which(word) is not None)


def _fences(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block; an unterminated last fence runs to the end."""
    blocks: list[tuple[str, str]] = []
    pos = 0
    while True:
        opening = _FENCE.search(text, pos)
        if not opening:
            return blocks
        marker, lang = opening.group(1), opening.group(2).lower()
        closing = re.compile(r"^[ \t]*" + re.escape(marker[0]) + "{" + str(len(marker)) + r",}[ \t]*$", re.MULTILINE)
        end = closing.search(text, opening.end())
        body = text[opening.end() + 1 : end.start() if end else len(text)]
        blocks.append((lang, body))
        if not end:
            return blocks
        pos = end.end()


def strip_trailing_comment(line: str) -> str:
    """Drop a ` # explanation` at the end of a command, outside quotes; keep `#` inside words."""
    quote = None
    escaped = False
    for i, ch in enumerate(line):
        if escaped:
            escaped = False
            continue
        if ch == "\\" and quote != "'":
            escaped = True
        elif quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t;|&"):
            return line[:i].rstrip()
    return line.rstrip()


def _join_continuations(lines: list[str]) -> list[str]:
    """Join `cmd \\` + next line, and a line ending in `|`, `&&` or `||` with the next one."""
    out: list[str] = []
    buf = ""
    for raw in lines:
        line = raw.rstrip()
        if buf:
            line = buf + " " + line.strip()
            buf = ""
        if line.endswith("\\") and not line.endswith("\\\\"):
            buf = line[:-1].rstrip()
            continue
        if re.search(r"(?:\|\||&&|\|)\s*$", line):
            buf = line
            continue
        out.append(line)
    if buf:
        out.append(buf.rstrip("\\|& "))
    return out


def _clean(line: str) -> str:
    line = strip_trailing_comment(line.strip()).strip()
    # A trailing `;` is noise, but `find … -exec … \;` needs its escaped one.
    while line.endswith(";") and not line.endswith("\\;"):
        line = line[:-1].rstrip()
    return line


def _prose(text: str) -> bool:
    """A sentence, not a command: several ordinary English words and no shell syntax."""
    words = [w.lower().strip(",.!?:") for w in text.split()]
    if _SHELL_META.search(text):
        return False
    common = sum(w in _PROSE_WORDS for w in words)
    return common >= 2 or (_SENTENCE_END.search(text) is not None and len(words) >= 4)


class _Extractor:
    def __init__(self, is_program):
        self.is_program = is_program

    def known(self, word: str) -> bool:
        word = word.lstrip("\\")
        if re.match(r"^[A-Za-z_]\w*=", word):  # VAR=value cmd
            return True
        return word in BUILTINS or self.is_program(word)

    def block(self, lang: str, body: str) -> list[str]:
        lines = body.split("\n")
        prompted = [m.group(1) for m in map(_PROMPT.match, lines) if m]
        if prompted:
            lines = prompted  # a session transcript: prompted lines are commands, the rest output
        elif lang == "console":
            lines = [m.group(1) for m in map(_ROOT_PROMPT.match, lines) if m] or lines
        cmds = []
        for line in _join_continuations(lines):
            if not line.strip() or line.lstrip().startswith("#") or _LABEL.match(line):
                continue  # blank, comment, shebang, or a stray language label
            cleaned = _clean(line)
            # Tiny models put their prose inside fences too; a program that is not installed
            # is still kept (it is marked later), a sentence is not.
            if cleaned and not _prose(cleaned):
                cmds.append(cleaned)
        return cmds

    def looks_like_command(self, text: str, strict: bool) -> bool:
        """Does this short text read as a shell command rather than as prose?

        strict: the text has no code markup around it (a bare line), so demand more evidence.
        """
        text = text.strip()
        if not text or len(text) > 400:
            return False
        words = text.split()
        first = words[0]
        if not re.match(r"^\\?[\w./~+\[{(-][\w./~+=:@-]*$", first) or first.endswith(":"):
            return False
        if not strict:
            # In backticks or a list item: a real program first, or options/operators.
            return self.known(first) or (len(words) > 1 and bool(_SHELL_META.search(text)) and not _prose(text))
        if not self.known(first) or _prose(text):
            return False
        return not (_SENTENCE_END.search(text) and not _SHELL_META.search(text))

    def lists_and_inline(self, text: str) -> list[str]:
        cmds: list[str] = []
        for line in text.split("\n"):
            item = _LIST_ITEM.match(line)
            content = item.group(1) if item else line
            inline = _INLINE.findall(content)
            if inline:
                alone = content.strip().startswith("`") and len(inline) == 1
                for code in inline:
                    # One backticked word inside a sentence names a program ("use the `file`
                    # command"); it is a command only when it stands alone or has arguments.
                    if len(code.split()) == 1 and not alone:
                        continue
                    if self.looks_like_command(code, strict=False):
                        cmds.append(_clean(code))
            elif item:
                # "1. ls -la - lists everything": cut an explanation after a spaced dash or a colon.
                head = re.split(r"\s+[-–—]\s+|:\s+", content, maxsplit=1)[0]
                if self.looks_like_command(head, strict=False):
                    cmds.append(_clean(head))
        return [c for c in cmds if c]

    def bare_lines(self, text: str) -> list[str]:
        lines = [l for l in text.split("\n") if l.strip() and not _LABEL.match(l)]
        cleaned = (_clean(l) for l in _join_continuations(lines))
        return [c for c in cleaned if self.looks_like_command(c, strict=True)]

    def extract(self, text: str) -> list[str]:
        blocks = _fences(text)
        found: list[str] = []
        for lang, body in blocks:
            if lang in _SHELL_LANGS:
                found += self.block(lang, body)
        if found:
            return found
        outside = _FENCE.sub("", text) if blocks else text
        prompted = [m.group(1) for m in map(_PROMPT.match, outside.split("\n")) if m]
        found = [c for c in (_clean(p) for p in _join_continuations(prompted)) if c]
        return found or self.lists_and_inline(outside) or self.bare_lines(outside)


def extract_commands(text: str, limit: int | None = None, *, is_program=installed) -> list[str]:
    """Every distinct command in `text`, in the order given; at most `limit` of them.

    is_program(name) -> bool decides whether a bare word names a program (default: on PATH).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    unique: list[str] = []
    seen: set[str] = set()
    for cmd in _Extractor(is_program).extract(text):
        key = " ".join(cmd.split())
        if key and key not in seen:
            seen.add(key)
            unique.append(cmd)
    return unique[:limit] if limit else unique
