"""One simple command's words -> parts: command name, subcommand, options (with their values),
arguments; find's `-exec … ;`, wrappers (`sudo`, `xargs`, `env`, …), old-style `tar czf`/`ps aux`.

Option tables come from the program's man page (and a `git-commit(1)`-style page for a
subcommand) or from bash's `help` for builtins. Help text is quoted, never written here.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ccgpt.explain import builtins as _builtins
from ccgpt.explain import syntax
from ccgpt.explain.manpages import missing_tools

if TYPE_CHECKING:
    from ccgpt.risk.parse import Node

# Programs whose first operand names an action (`git commit`, `systemctl restart`).
SUBCOMMAND_PROGRAMS = {
    "git", "docker", "podman", "kubectl", "apt", "apt-get", "apt-cache", "systemctl", "ip", "npm", "pnpm",
    "yarn", "pip", "pip3", "cargo", "go", "brew", "snap", "dnf", "yum", "zypper", "helm", "terraform", "gh",
    "aws", "gcloud", "az", "conda", "poetry", "uv", "docker-compose", "openssl", "nmcli", "loginctl",
    "timedatectl", "hostnamectl", "busctl", "flatpak", "virsh", "lxc", "tmux", "svn", "hg", "rustup", "dpkg-query",
    "journalctl", "firewall-cmd", "ufw", "nix", "gem", "bundle", "rails", "dotnet", "mvn", "gradle", "ollama",
}
# Programs that run another command: how many operands come before that command.
WRAPPERS = {"sudo": 0, "doas": 0, "xargs": 0, "env": 0, "nohup": 0, "time": 0, "nice": 0, "ionice": 0,
            "timeout": 1, "stdbuf": 0, "exec": 0, "command": 0, "watch": 0, "strace": 0, "chroot": 1,
            "setsid": 0, "flock": 1, "torsocks": 0, "builtin": 0, "unbuffer": 0, "taskset": 1, "chrt": 1}
# Wrappers' options that take a value, for when the wrapper has no man page on this machine
# (structure only: which word is the wrapped command; no help text comes from here).
WRAPPER_VALUE_OPTIONS = {"sudo": {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"},
                         "doas": {"-u", "-C"}, "timeout": {"-s", "-k"}, "nice": {"-n"}}
FIND_LIKE = {"find"}
_EXEC = {"-exec", "-execdir", "-ok", "-okdir"}
FIND_OPERATORS = ("!", "(", ")", ",")  # find's page documents them as "( expr )", "! expr", "expr1 , expr2"
_PLAIN_WORD = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")


@dataclass
class Word:
    text: str            # unquoted text used for matching
    start: int           # char span in the command
    end: int
    node: Node | None = None  # tree-sitter node, for nested substitutions


class Table:
    """Options of one source: a man page or a builtin's help."""

    def __init__(self, source: str, page=None, builtin=None):
        self.source, self.page, self.builtin = source, page, builtin

    def lookup(self, tag: str, value: str | None = None):
        """(help, arg) where arg is "required", "optional" or None; None if the tag is not listed.
        `value` (the next word) picks among variants of one option (find's -perm forms)."""
        if self.page is not None:
            item = self.page.lookup(tag, value)
            return (item.help, item.arg_for(tag)) if item else None
        opt = self.builtin.options.get(tag) if self.builtin else None
        return (opt[0], "required" if opt[1] else None) if opt else None

    def documents(self, word: str) -> bool:
        """Whether `word` (an option as written, `-la` or `--all=x`) is described here."""
        name = word.split("=", 1)[0]
        if self.lookup(name):
            return True
        return not name.startswith("--") and all(self.lookup("-" + c) for c in name[1:])  # -la

    def breadth(self) -> int:
        """How many option names this source describes."""
        if self.page is not None:
            return len({t for it in self.page.items for t in it.tags if t.startswith("-")})
        return len(self.builtin.options) if self.builtin else 0

    def long_options(self) -> list[str]:
        if self.page is not None:
            return self.page.long_options()
        return [t for t in (self.builtin.options if self.builtin else {}) if t.startswith("--")]


class CommandExplainer:
    """Explains the words of one simple command. `ctx` is the Explainer (pages, builtins, parts)."""

    def __init__(self, ctx):
        self.ctx = ctx

    # -- tables
    def tables_for(self, name: str, words: Sequence[str] = ()) -> tuple[list[Table], dict]:
        """Option tables for a command name and the command part's help/source/note."""
        ctx = self.ctx
        by_path = "/" in name
        if by_path:
            if not name.startswith("/"):
                return [], {"help": None, "source": None,
                            "note": "a program given by a relative path: not looked up, not run"}
            name = os.path.basename(name)  # /bin/echo is the program, never the builtin
        b = ctx.builtins.get(name) if ctx.builtins.is_builtin(name) and not by_path else None
        page = ctx.page(name)
        if b is not None:
            return self._builtin_or_page(name, Table(_builtins.SOURCE, builtin=b), page, words)
        if page is None:
            why = missing_tools()
            note = f"no man page for {name} on this machine" + (f": {why}" if why else "")
            return [], {"help": None, "source": None, "note": note}
        return [Table(page.source, page=page)], {"help": page.title, "source": page.source}

    def _builtin_or_page(self, name: str, builtin: Table, page, words) -> tuple[list[Table], dict]:
        """A builtin that also has a man page (echo, kill, printf, pwd): quote the source that
        documents more of the options written, then more options in all; bash's own help on a tie."""
        info = {"help": builtin.builtin.short, "source": _builtins.SOURCE}
        if page is None or page.section[:1] not in ("1", "8"):  # wait(2), exit(3): C functions, not commands
            return [builtin], info
        man = Table(page.source, page=page)
        used = [w for w in words if w.startswith("-") and len(w) > 1 and w != "--"]
        score = {id(t): (sum(1 for w in used if t.documents(w)), t.breadth()) for t in (builtin, man)}
        if score[id(man)] <= score[id(builtin)]:
            return [builtin], info
        note = f"bash runs its builtin {name} (see `help {name}`); {page.source} documents more"
        return [man], {"help": page.title, "source": page.source, "note": note}

    def lookup(self, tables: list[Table], tag: str, value: str | None = None):
        for t in tables:
            hit = t.lookup(tag, value)
            if hit:
                return hit[0], hit[1], t.source
        return None

    # -- the words
    def explain(self, name: Word, args: list[Word], nested: bool = False) -> None:
        ctx = self.ctx
        prog = os.path.basename(name.text)
        tables, info = self.tables_for(name.text, [a.text for a in args])
        ctx.add(name, "command", **info)
        i = 0
        positional = 0
        end_of_options = False
        while i < len(args):
            w = args[i]
            t = w.text
            is_opt = t.startswith("-") and len(t) > 1 and not end_of_options \
                or (prog in FIND_LIKE and t in FIND_OPERATORS)
            if re.match(r"^-\d+(\.\d+)?$", t) and (not tables or prog in FIND_LIKE):
                is_opt = False  # a negative number, or `kill -9` / `head -20` with nothing to look it up in
            if t == "--" and not end_of_options:
                end_of_options = True
                hit = self.lookup(tables, "--")
                ctx.add(w, "option", help=hit[0] if hit else None, source=hit[2] if hit else None,
                        note=None if hit else "marks the end of the options")
                i += 1
                continue
            if not is_opt:
                if positional == 0 and prog in WRAPPERS and WRAPPERS[prog] == 0 or \
                        prog in WRAPPERS and positional == WRAPPERS[prog] and positional > 0:
                    if prog == "env" and "=" in t:
                        ctx.add(w, "assignment", help=syntax.lookup("prefix-assignment"), source=syntax.SOURCE)
                        i += 1
                        continue
                    self.explain(w, args[i + 1:], nested=True)
                    return
                if positional == 0 and self._old_style(prog, tables, args, i):
                    first, i = i, self._old_style(prog, tables, args, i, apply=True)
                    for consumed in args[first:i]:
                        ctx.inner(consumed)
                    positional += 1
                    continue
                if positional == 0 and not end_of_options and self._subcommand(prog, tables, w):
                    positional = 0
                    i += 1
                    continue
                if "=" in t and not t.startswith("="):
                    hit = self.lookup(tables, t.split("=", 1)[0] + "=")
                    if hit:  # dd's operands: if=FILE
                        ctx.add(w, "option", help=hit[0], source=hit[2])
                        i += 1
                        continue
                ctx.argument(w)
                positional += 1
                i += 1
                continue
            first = i
            i = self._option(prog, tables, args, i)
            if not (prog in FIND_LIKE and t in _EXEC):
                for consumed in args[first:i]:  # substitutions inside an option or its value
                    ctx.inner(consumed)

    def _subcommand(self, prog: str, tables: list[Table], w: Word) -> bool:
        if not _PLAIN_WORD.match(w.text) or getattr(self, "_sub_seen", None) == id(tables):
            return False
        ctx = self.ctx
        page = tables[0].page if tables else None
        if page is None:
            if prog in SUBCOMMAND_PROGRAMS and not (tables and tables[0].builtin):
                ctx.add(w, "subcommand", help=None, source=None, note=f"no man page for {prog} on this machine")
                self._sub_seen = id(tables)
                return True
            return False
        sub = ctx.page(f"{prog}-{w.text}")
        if sub is not None:
            ctx.add(w, "subcommand", help=sub.title, source=sub.source)
            tables.insert(0, Table(sub.source, page=sub))
            self._sub_seen = id(tables)
            return True
        item = page.lookup(w.text)
        if item is not None and ("COMMAND" in item.section.upper() or prog in SUBCOMMAND_PROGRAMS):
            ctx.add(w, "subcommand", help=item.help, source=page.source)
            self._sub_seen = id(tables)
            ref = re.search(r"\(([\w.+-]+)\((\d)\)\)", item.tag_text)  # apt's "install (apt-get(8))"
            other = ctx.page(ref.group(1)) if ref else None
            if other is not None:
                tables.append(Table(other.source, page=other))
            return True
        if prog in SUBCOMMAND_PROGRAMS:
            ctx.add(w, "subcommand", help=None, source=None,
                    note=f"{w.text}: not described in {page.source}")
            self._sub_seen = id(tables)
            return True
        return False

    def _old_style(self, prog, tables, args, i, apply=False):
        """`tar czf FILE …` (tar's first word, letters are -c -z -f) and `ps aux` (BSD options)."""
        w = args[i]
        t = w.text
        if prog not in ("tar", "ps") or not tables or not re.match(r"^[A-Za-z]+$", t):
            return False
        key = (lambda c: "-" + c) if prog == "tar" else (lambda c: c)
        hits = [self.lookup(tables, key(c)) for c in t]
        if not all(hits):
            return False
        if not apply:
            return True
        end = w.end
        j = i + 1
        for h in hits:  # traditional tar: values of f, b, C … follow in order
            if h[1] == "required" and j < len(args):
                end = args[j].end
                j += 1
        segs = [f"{key(c)} {h[0]}" for c, h in zip(t, hits)]
        self.ctx.add(Word(t, w.start, end), "option", help="; ".join(segs) if len(segs) > 1 else hits[0][0],
                     source=hits[0][2])
        return j

    def _option(self, prog: str, tables: list[Table], args: list[Word], i: int) -> int:
        ctx = self.ctx
        w = args[i]
        t = w.text
        if not tables:
            end = w.end
            if t in WRAPPER_VALUE_OPTIONS.get(prog, ()) and i + 1 < len(args):
                end, i = args[i + 1].end, i + 1
            ctx.add(Word(t, w.start, end), "option", help=None, source=None)
            return i + 1
        if t.startswith("--"):
            name, eq, _value = t.partition("=")
            hit = self.lookup(tables, name)
            if hit is None:
                longs = [o for t_ in tables for o in t_.long_options()]
                cands = [o for o in dict.fromkeys(longs) if o.startswith(name)]
                if len(cands) == 1:  # GNU getopt accepts unambiguous abbreviations
                    hit = self.lookup(tables, cands[0])
                if hit is None:
                    close = difflib.get_close_matches(name, longs, n=1)
                    unknown_long = f"{name} is not described in {tables[0].source}"
                    ctx.add(w, "option", help=None, source=None,
                            note=unknown_long + (f"; did you mean {close[0]}?" if close else ""))
                    return i + 1
            end = w.end
            if hit[1] == "required" and not eq and i + 1 < len(args):
                end = args[i + 1].end
                i += 1
            ctx.add(Word(t, w.start, end), "option", help=hit[0], source=hit[2])
            return i + 1
        whole = self.lookup(tables, t)
        if whole is None and re.match(r"^-\d+$", t):  # gzip -9, documented as "-#"
            whole = self.lookup(tables, "-#")
        if whole is None and re.match(r"^-(?:[A-Z][A-Z0-9+]+|\d+)$", t) \
                and not all(self.lookup(tables, "-" + c) for c in t[1:]):
            whole = self._placeholder(tables)  # killall -HUP: "-SIGNAL"; kill -9: "-<signal>"
        if whole is not None or len(t) == 2 or prog in FIND_LIKE or \
                (re.match(r"^-\d+$", t) and not all(self.lookup(tables, "-" + c) for c in t[1:])):
            if whole is None:
                ctx.add(w, "option", help=None, source=None, note=f"{t} is not described in {tables[0].source}")
                return i + 1
            if t in _EXEC and prog in FIND_LIKE:
                return self._exec(tables, args, i, whole)
            end = w.end
            if whole[1] == "required" and i + 1 < len(args):
                whole = self.lookup(tables, t, args[i + 1].text) or whole
                end = args[i + 1].end
                i += 1
            ctx.add(Word(t, w.start, end), "option", help=whole[0], source=whole[2])
            return i + 1
        # combined short options: -xzvf, -n20, -ofile
        segs, unknown, source, end = [], [], None, w.end
        for k, ch in enumerate(t[1:]):
            hit = self.lookup(tables, "-" + ch) or (self.lookup(tables, "-#") if ch.isdigit() else None)
            if hit is None:
                unknown.append("-" + ch)
                continue
            segs.append((ch, hit[0]))
            source = source or hit[2]
            if hit[1] == "required":
                if k + 2 >= len(t) and i + 1 < len(args):
                    end = args[i + 1].end
                    i += 1
                break
        note = f"not described in {tables[0].source}: {' '.join(unknown)}" if unknown else None
        if not segs:
            ctx.add(w, "option", help=None, source=None, note=note)
        else:
            text = segs[0][1] if len(segs) == 1 and not unknown and len(t) == 2 else \
                "; ".join(f"-{c} {h}" for c, h in segs)
            ctx.add(Word(t, w.start, end), "option", help=text, source=source, note=note)
        return i + 1

    def _placeholder(self, tables: list[Table]):
        """The entry a page writes for "any -WORD" (`-SIGNAL`, `-<signal>`), if it has one."""
        for t in tables:
            for tag in (t.page.placeholder_tags() if t.page is not None else ()):
                hit = t.lookup(tag)
                if hit:
                    return hit[0], None, t.source
        return None

    def _exec(self, tables, args, i, hit) -> int:
        """find -exec COMMAND … ; (or +): the command inside is explained as a command."""
        ctx = self.ctx
        ctx.add(args[i], "option", help=hit[0], source=hit[2])
        j = i + 1
        while j < len(args) and args[j].text not in (";", "+"):
            j += 1
        if j > i + 1:
            self.explain(args[i + 1], args[i + 2:j], nested=True)
            quote = sentence_with(hit[0], "`{}'")
            for p in ctx.parts:
                if p.text == "{}" and p.span[0] > args[i].start and p.span[1] <= args[j - 1].end and quote:
                    p.help, p.source = quote, hit[2]
        if j < len(args):
            term = args[j].text
            key = f"{args[i].text} command {{}} +" if term == "+" else f"{args[i].text} command ;"
            ctx.add(args[j], "argument", help=None, source=None,
                    note=f"ends the command of {args[i].text} (see '{key}' in {hit[2]})")
        return j + 1


def sentence_with(text: str, needle: str) -> str | None:
    """The sentence of a quoted help text that contains `needle` (still a verbatim quote)."""
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z`])", text):
        if needle in sentence:
            return sentence
    return None
