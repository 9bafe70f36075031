"""Inline interpreter code: `python -c`, `perl -e`, `ruby -e`, `node -e`, `php -r`, a script
piped or here-doc'ed into one, a script file written earlier in the line.

No attempt to analyse the language: the obvious idioms are recognised and handed back to the
shell rules (a literal shell command in `os.system`/`subprocess`/backticks is classified as
shell; `shutil.rmtree(PATH)` is `rm -rf PATH`; `os.remove(PATH)` is `rm -f PATH`;
`open(PATH, "w")` writes PATH), home-directory spellings (`os.path.expanduser("~")`,
`Path.home()`, `os.environ["HOME"]`, `$ENV{HOME}`, `os.homedir()`) read as `~`, and a secret
path together with a network call is exfiltration. Anything else is at least `review`."""

from __future__ import annotations

import re
from functools import lru_cache

from ccgpt.risk import commands as C
from ccgpt.risk import paths as P
from ccgpt.risk.lazyre import lazy_re
from typing import TYPE_CHECKING

from ccgpt.risk.model import Cmd
from ccgpt.risk.words import argv_line
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

FORK_BOMB = rule("fork-bomb")
UNRESOLVED_CODE = rule("unresolved-code")
REVERSE_SHELL = rule("reverse-shell")
FORCED_DELETE = rule("forced-delete")
EXFILTRATION = rule("exfiltration")
RUNS_SCRIPT = rule("runs-script")
REMOTE_CODE = rule("remote-code")


_SOCKET = lazy_re(r"socket|fsockopen|TCPSocket|net\.connect|require\(\s*[\"']net[\"']\s*\)|Net::|IO::Socket|/dev/tcp/", re.I)
_SPAWN = lazy_re(r"pty\.spawn|dup2|fdopen|subprocess|/bin/(ba|z|da)?sh|exec\s*\(|os\.system|popen|spawn|IO\.popen|child_process|exec\s+[\"']|proc_open|\bsh\b\s*-i", re.I)
_SHELL_OUT = lazy_re(
    r"(?:os\.system|os\.popen|system|popen|shell_exec|passthru|proc_open|execSync|exec|spawnSync|check_output|"
    r"check_call|(?:\b\w+\.)?(?:run|call|Popen)|getoutput|getstatusoutput|IO\.popen|%x)\s*[\(\{]\s*(\[[^\]]*\]|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')",
    re.S)
_BACKTICK = lazy_re(r"`([^`]+)`")
_STRING = lazy_re(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'", re.S)
_RMTREE = lazy_re(r"(?:shutil\.rmtree|rmSync|rmdirSync|FileUtils\.rm_rf|FileUtils\.rm_r|rm_r|remove_tree|rmtree|"
                  r"fs\.rm|fs\.promises\.rm|rimraf)\s*\(\s*([\"'])([^\"']*)\1")
_REMOVE = lazy_re(r"(?:os\.remove|os\.unlink|unlinkSync|fs\.unlink|File\.delete|FileUtils\.rm|unlink)\s*\(\s*([\"'])([^\"']*)\1"
                  r"|Path\(\s*([\"'])([^\"']*)\3\s*\)\.unlink\(")
_OPEN_WRITE = lazy_re(r"open\s*\(\s*([\"'])([^\"']+)\1\s*,\s*[\"'][wa]b?\+?[\"']"
                      r"|Path\(\s*([\"'])([^\"']+)\3\s*\)\.write_(?:text|bytes)\("
                      r"|(?:writeFileSync|appendFileSync|File\.write)\s*\(\s*([\"'])([^\"']+)\5")
_DELETE = lazy_re(r"os\.remove|os\.unlink|unlink\s*\(|\.unlink\(|fs\.rm|os\.rmdir|File\.delete|\.rmdir\(|shutil\.rmtree|rm_rf"
                  r"|rmtree|removedirs|os\.walk[^\n]*remove")
# fork inside a loop, in any of the one-liner languages: `fork while 1`, `while(1){fork}`,
# `loop { fork }`, `while True: os.fork()` (also across a line break).
_FORK_LOOP = lazy_re(r"\bfork\b\s*(\(\s*\))?\s*(while|until|for)\b|(while|for|loop|until)\b[\s\S]{0,60}?\bfork\b", re.I)
# Perl's list form without parentheses: `system "rm", "-rf", $ENV{HOME}`.
_PERL_LIST = lazy_re(r"\b(?:system|exec)\s+((?:\"[^\"]*\"|'[^']*')(?:\s*,\s*(?:\"[^\"]*\"|'[^']*'))*)")
# Spellings of the home directory in Python, Perl, Ruby, Node and PHP.
_HOME = lazy_re(r"""(?:os|__import__\(\s*["']os["']\s*\))\.path\.expanduser\(\s*(["'])~([^"']*)\1\s*\)"""
                r"""|(?:pathlib\.)?Path\.home\(\)|(?:pathlib\.)?Path\(\s*(["'])~\3\s*\)\.expanduser\(\)"""
                r"""|os\.environ\[\s*(["'])HOME\4\s*\]|os\.(?:environ\.get|getenv)\(\s*(["'])HOME\5\s*\)"""
                r"""|\$ENV\{\s*["']?HOME["']?\s*\}|ENV\[\s*["']HOME["']\s*\]|Dir\.home|(?:os|require\(\s*["']os["']\s*\))\.homedir\(\)|process\.env\.HOME"""
                r"""|getenv\(\s*["']HOME["']\s*\)|\$_SERVER\[\s*["']HOME["']\s*\]|ENVIRON\[\s*"HOME"\s*\]|\$env:(?:HOME|USERPROFILE)\b""")
# `os.path.join("~", ".ssh")`, `Path.home() / ".ssh"`, `"~" + "/.ssh"`: glue the literal parts.
_JOIN = lazy_re(r"""(?:os\.path\.join|path\.join|File\.join)\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*"((?:[^"\\]|\\.)*)"\s*\)"""
                r"""|"((?:[^"\\]|\\.)*)"\s*[/+.]\s*"((?:[^"\\]|\\.)*)\"""")
_NETWORK = lazy_re(r"requests\.|urllib|urlopen|http\.client|httplib|socket|smtplib|ftplib|paramiko|\bfetch\s*\(|axios|"
                   r"https?\.request|XMLHttpRequest|Net::HTTP|LWP|HTTP::Tiny|curl_|file_get_contents\(\s*[\"']https?:|"
                   r"open-uri|RestClient|Faraday|aiohttp|httpx|websocket|dns\.resolver|boto3|s3\.upload|"
                   r"\biwr\b|\birm\b|Invoke-WebRequest|Invoke-RestMethod|DownloadString|Net\.WebClient")


# Perl's quote operators `q(…)`, `qq{…}`, `q!…!` and Ruby's `%q{…}`, `%Q(…)` are string literals;
# Perl's `qw(…)` and Ruby's `%w[…]` are lists of words. A bracket may follow after spaces, any
# other delimiter comes right after the operator (`q!…!`, `qw/…/`).
_PERL_Q = lazy_re(r"(?:(?<![\w$@%&])(qq|qw|q)|%([qQwW]))(?:\s*(?:\(([^()]*)\)|\{([^{}]*)\}|\[([^\[\]]*)\]|<([^<>]*)>)|"
                  # one class per delimiter, so an unclosed one stops at the next (linear scans)
                  + "|".join(f"{re.escape(d)}([^{re.escape(d)}]*){re.escape(d)}" for d in "!#/|~,:;.^") + ")")
# A literal decoded in the code itself: `base64.b64decode("…")`, `atob("…")`, `Buffer.from("…", "base64")`.
_B64_CALL = lazy_re(r"(?:base64\.)?(?:b64decode|decodebytes|decode_base64|atob|base64_decode)\(\s*[bB]?\"([A-Za-z0-9+/=\s]+)\"\s*\)"
                    r"(?:\.decode\(\s*(?:\"[^\"]*\")?\s*\))?"
                    r"|Buffer\.from\(\s*\"([A-Za-z0-9+/=]+)\"\s*,\s*\"base64\"\s*\)(?:\.toString\(\))?")
# Other call spellings of "run this": Lua `os.execute`, `os.exec*` with a program and argv list,
# Lisp `(shell-command "…")`, Tcl/expect `exec …`/`spawn …`.
_EXEC_LIST = lazy_re(r"os\.(?:exec|spawn|posix_spawn)\w*\s*\([^\[\)]*?\"[^\"]*\"\s*,\s*(\[[^\]]*\])")
_LUA_EXEC = lazy_re(r"os\.execute\s*\(?\s*\"((?:[^\"\\]|\\.)*)\"")
_LISP_SHELL = lazy_re(r"\((?:async-)?shell-command(?:-to-string)?\s+\"((?:[^\"\\]|\\.)*)\"")
_TCL_EXEC = lazy_re(r"(?:^|[;\[\n{])\s*(?:exec|spawn)\s+([^;\]\n}]+)")
# Recursive removal spelled with an option: R `unlink("~", recursive=TRUE)`, Deno `removeSync("/", {recursive: true})`.
_RM_RECURSIVE = lazy_re(r"(?:unlink|remove|removeSync|rm|rmSync|delete_directory|delete-directory)\s*\(?\s*\"([^\"]*)\""
                        r"\s*(?:,\s*(?:recursive\s*=\s*TRUE|\{\s*recursive\s*:\s*true|t\s*\)))")
# A program that starts itself again in a loop (`while(1) spawn(process.argv[0], …)`): a fork bomb.
_SELF_SPAWN = lazy_re(r"(?:while|for|loop|until)\b[\s\S]{0,80}?(?:spawn|exec|fork|system|popen|Popen)[\s\S]{0,80}?"
                      r"(?:process\.argv|sys\.argv|sys\.executable|\$0\b|__FILE__|\$PROGRAM_NAME)")


# A program and its argument list: Node `spawn("rm", ["-rf", "/"])`, `execFileSync(…)`.
_PROG_LIST = lazy_re(r"\b(?:spawn|spawnSync|execFile|execFileSync|fork)\s*\(\s*(\"[^\"]*\")\s*,\s*(\[[^\]]*\])")
# `os.execl("/bin/sh", "sh", "-c", CMD)`, `os.spawnlp(os.P_WAIT, "rm", "rm", "-rf", "/")`: the literals after the path are argv.
_EXEC_ARGS = lazy_re(r"os\.(?:exec|spawn)l\w*\s*\([^\"\)]*?((?:\"[^\"]*\"\s*,\s*)+\"[^\"]*\")")
# Perl's and Ruby's command quotes `qx(…)`, `qx{…}`, `%x(…)`.
_PERL_QX = lazy_re(r"(?:\bqx|%x)\s*(?:\(([^()]*)\)|\{([^{}]*)\}|\[([^\[\]]*)\]|<([^<>]*)>|/([^/]*)/)")
# Code run as code of the same language: Python's `exec("…")`/`eval("…")`.
_PY_EXEC = lazy_re(r"\b(?:exec|eval)\s*\(\s*\"((?:[^\"\\]|\\.)*)\"")
# Code that runs what it evaluates: with a network call, that is code from the network.
_EVALS = lazy_re(r"\b(?:exec|eval|iex|Invoke-Expression|instance_eval|compile)\b|\.then\(\s*eval\s*\)")
# Code that runs its own input as commands: `awk '{system($0)}'`, `perl -ne 'system($_)'`,
# `os.system(sys.stdin.read())`, `system(STDIN.read)`; and code that opens a pipe into a shell
# and prints into it: `open(P, "|sh")`, `awk '{print | "sh"}'`, `os.popen("sh", "w")`.
_RUNS_INPUT = lazy_re(r"(?:system|exec|popen|spawn|eval|check_output|run|call)\s*\(?\s*(?:\$0|\$_\b|sys\.stdin|STDIN|\$stdin|"
                      r"<STDIN>|<>|gets\b|readline|input\(|process\.stdin|line\b)")
_SHELL_PIPE = lazy_re(r"\|\s*-?\s*\"?\s*(?:/bin/|/usr/bin/)?(?:ba|da|z|k)?sh\b|\"\|-\"\s*,\s*\"(?:/bin/)?(?:ba|da|z)?sh\""
                      r"|popen\s*\(\s*\"(?:/bin/)?(?:ba|da|z)?sh\"")
# Other spellings of "run this command": AppleScript, Ruby's Open3, several string arguments.
_MORE_SHELL = lazy_re(r"do shell script\s+\"((?:[^\"\\]|\\.)*)\"|Open3\.\w+\s*\(\s*\"((?:[^\"\\]|\\.)*)\"")
_ARGS_CALL = lazy_re(r"\b(?:system|spawn|exec|execFile)\s*\(\s*\*?\s*(\"[^\"]*\"(?:\s*,\s*\"[^\"]*\")+)\s*[,)]")
_PERL_UNLINK = lazy_re(r"\bunlink\s+(?:glob\s+)?\"([^\"]+)\"")
_PS_REMOVE = lazy_re(r"\b(?:Remove-Item|ri|rd|del|rmdir|rm|erase)\b([^;|\n]*)", re.I)
_HEX = lazy_re(r"bytes\.fromhex\(\s*\"([0-9a-fA-F\s]+)\"\s*\)(?:\.decode\(\s*(?:\"[^\"]*\")?\s*\))?")
_LIST = lazy_re(r"\[\s*\"[^\]]*\]")  # a list of strings: `["rm", "-rf", "/"]`
_CHMOD = lazy_re(r"os\.chmod\(\s*\"([^\"]+)\"\s*,\s*0o?([0-7]{3,4})\b")


def _as_literal(text: str | None, written: str) -> str:
    """Decoded text as one double-quoted literal, or the code as written when it did not decode."""
    return '"' + text.replace('"', '\\"') + '"' if text is not None else written


def _quote_literal(m: re.Match) -> str:
    """`q{a b}` as `"a b"`; `qw(a b)` as `"a", "b"`, the argument list it is."""
    body = next(g for g in m.groups()[2:] if g is not None)
    if (m.group(1) or m.group(2)).lower() in ("qw", "w"):
        return ", ".join('"' + w.replace('"', '\\"') + '"' for w in body.split()) or '""'
    return '"' + body.replace('"', '\\"') + '"'


def _b64_literal(m: re.Match) -> str:
    from ccgpt.risk.decode import _b64

    return _as_literal(_b64(m.group(1) or m.group(2) or ""), m.group(0))


def _hex_literal(m: re.Match) -> str:
    try:
        text: str | None = bytes.fromhex(m.group(1)).decode("utf-8", "replace")
    except ValueError:
        text = None
    return _as_literal(text, m.group(0))


@lru_cache(maxsize=128)
def _normalise(code: str) -> str:
    """Home spellings become the literal `"~"`, and joins of literals one literal, so the path
    rules below see `shutil.rmtree("~")` and `open("~/.ssh/id_rsa")`."""
    if "q" in code or "%" in code:
        code = _PERL_Q.sub(_quote_literal, code)
    if "HOME" in code or "home" in code or "expanduser" in code:
        code = _HOME.sub(lambda m: '"~' + (m.group(2) or "") + '"', code)
    code = code.replace("'", '"') if "'" in code and '"' not in code else code
    if "64" in code or "atob" in code:
        code = _B64_CALL.sub(_b64_literal, code)
    if "fromhex" in code:
        code = _HEX.sub(_hex_literal, code)
    for _ in range(3):
        new = _JOIN.sub(lambda m: '"' + _join(m.group(1), m.group(2)) if m.group(1) is not None
                        else '"' + (m.group(3) or "") + (m.group(4) or "") + '"', code)
        if new == code:
            break
        code = new
    return code


def _join(a: str, b: str) -> str:
    return (a.rstrip("/") + "/" + b.lstrip("/") if a else b) + '"'


def _literals(code: str) -> list[str]:
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in _STRING.finditer(code)]


@lru_cache(maxsize=128)
def _commands_run(code: str, prog: str) -> tuple[str, ...]:
    """The shell command lines the (normalised) code is seen to run."""
    return tuple(_shell_lines(code, prog))


def _shell_lines(code: str, prog: str) -> list[str]:
    out = []
    for m in _SHELL_OUT.finditer(code):
        lit = m.group(1)
        if _python(prog) and code[m.start():m.start() + 4] in ("exec", "eval"):
            continue  # Python's exec() runs Python (check_code_text reads it), not a shell
        out.append(argv_line(_literals(lit)) if lit.startswith("[") else lit[1:-1])
    out += [argv_line(_literals(m.group(1))) for m in _EXEC_LIST.finditer(code)]
    for rx in (_LUA_EXEC, _LISP_SHELL):
        out += [m.group(1) for m in rx.finditer(code)]
    if "shell script" in code or "Open3" in code:
        out += [m.group(1) if m.group(1) is not None else m.group(2) for m in _MORE_SHELL.finditer(code)]
    if "," in code:
        out += [argv_line(_literals(m.group(1))) for m in _ARGS_CALL.finditer(code)]
        out += [argv_line(_literals(m.group(1)) + _literals(m.group(2))) for m in _PROG_LIST.finditer(code)]
        out += [argv_line(_literals(m.group(1))[1:]) for m in _EXEC_ARGS.finditer(code)]
    if prog == "perl":
        out += [f"rm -f -- {argv_line([m.group(1)])}" for m in _PERL_UNLINK.finditer(code)]
    if prog in ("pwsh", "powershell"):
        out += [_ps_remove(m.group(1)) for m in _PS_REMOVE.finditer(code)]
    if prog in ("perl", "ruby"):
        out += [next(g for g in m.groups() if g is not None) for m in _PERL_QX.finditer(code)]
        for m in _PERL_LIST.finditer(code):
            words = _literals(m.group(1))  # one string runs through the shell; several are argv
            out.append(words[0] if len(words) == 1 else argv_line(words))
    if prog in ("perl", "ruby", "php", "julia"):
        out += [m.group(1) for m in _BACKTICK.finditer(code)]
    if prog in ("tclsh", "wish", "expect"):
        out += [m.group(1) for m in _TCL_EXEC.finditer(code)]
    return out


def _ps_remove(args: str) -> str:
    """PowerShell's `Remove-Item -Recurse -Force PATH` as the rm line it amounts to."""
    words = args.split()
    paths = [w.strip("'\"") for w in words if not w.startswith("-")]
    recurse = any(w.lower().startswith("-r") for w in words)
    return " ".join(["rm", "-r -f" if recurse else "-f", "--"] + [argv_line([p]) for p in paths[:1] or ["."]])


def inline_code(argv: list[str]) -> str | None:
    """The program text given on an interpreter's command line (`python3 -c CODE`, `perl -ne
    CODE`, `node --eval CODE`, `deno eval CODE`); "" for the option without its text; None
    when the program comes from a file or stdin."""
    flag = C.INTERPRETERS.get(argv[0])
    if not flag:
        return None
    if argv[0] in ("pwsh", "powershell"):
        return _powershell_code(argv)
    if argv[0] == "perl":
        from ccgpt.risk.rules.perlcode import perl_code

        return perl_code(argv)
    if not flag.startswith("-"):  # `deno eval CODE`: a subcommand takes the code
        return argv[2] if argv[1:2] == [flag] and len(argv) > 2 else None
    for j in range(1, len(argv)):
        a = argv[j]
        if not a.startswith("-") or a.startswith("--") and a != "--eval":
            continue
        if a == flag or a == "--eval" or (len(a) <= 4 and a.endswith(flag[1:])):  # -c, -uc, -ne
            return argv[j + 1] if j + 1 < len(argv) else ""
        if a.startswith(flag):  # -c'print(1)'
            return a[len(flag):]
    return None


def _powershell_param(argv: list[str]) -> tuple[str, int]:
    """Which of PowerShell's code parameters the line uses ("command", "encoded" or "") and where.
    PowerShell takes any unambiguous prefix of a parameter, in any case (`-c`, `-Command`, `-com`,
    `-e`, `-enc`, `-EncodedCommand`)."""
    for j in range(1, len(argv) - 1):
        a = argv[j].lower()
        if len(a) > 1 and a[0] in "-/":
            if a[1] == "c" and "-command".startswith("-" + a[1:]):
                return "command", j
            if a[1] == "e" and "-encodedcommand".startswith("-" + a[1:]):
                return "encoded", j
    return "", 0


def powershell_encoded(argv: list[str]) -> bool:
    """`pwsh -EncodedCommand B64`: the code is hidden as base64."""
    return argv[0] in ("pwsh", "powershell") and _powershell_param(argv)[0] == "encoded"


def _powershell_code(argv: list[str]) -> str | None:
    kind, j = _powershell_param(argv)
    if kind == "command":
        return " ".join(argv[j + 1:])  # the rest of the line is the command
    if kind == "encoded":  # base64 of UTF-16
        import base64
        import binascii

        try:
            return base64.b64decode(argv[j + 1], validate=True).decode("utf-16-le", "replace")
        except (binascii.Error, ValueError):
            return P.DYNAMIC  # code hidden in something that does not decode: not known here
    return None


_PRINTS = lazy_re(r"\b(?:print|puts|say|echo|printf|console\.log|write|Write-Output)\b")


def printed_output(cmd: Cmd):
    """What inline interpreter code prints, as the next stage of a pipe sees it: the string
    literals of code that prints (`python3 -c "print('rm -rf /')" | sh`), or the network when it
    prints what it fetched; None when it does not print or the code is not on the line."""
    from ccgpt.risk.model import NET, TEXT, Output

    code = inline_code(cmd.argv)
    if not code or not _PRINTS.search(code):
        return None
    code = _normalise(code)
    if _NETWORK.search(code):
        return Output(NET)
    return Output(TEXT, "\n".join(_literals(code)) + "\n")


def runs_its_input(code: str) -> bool:
    """Code that runs each line it reads as a command (`system($_)`, `os.system(sys.stdin.read())`):
    what feeds it is code too."""
    return _RUNS_INPUT.search(code) is not None


def _python(prog: str) -> bool:
    return prog.startswith(("python", "pypy"))


def check_code_text(code: str, cmd: Cmd, ctx: Context, depth: int = 0) -> None:
    """Inline program text for python/perl/ruby/node/php/awk, or text piped into them. What
    it is seen to run or delete is judged by the shell rules; the code itself always counts as
    code that runs (`runs-script`), since the idioms read here are never all it can do."""
    from ccgpt.risk.model import Cmd

    if code == P.DYNAMIC:
        ctx.add(UNRESOLVED_CODE, cmd.span, f"runs {cmd.argv[0]} code that is not known here")
        return
    if _FORK_LOOP.search(code) or _SELF_SPAWN.search(code):
        ctx.add(FORK_BOMB, cmd.span, "inline code forks in a loop")
        return
    if _SOCKET.search(code) and _SPAWN.search(code):
        ctx.add(REVERSE_SHELL, cmd.span, "inline code connects a shell to a network socket")
        return
    if depth < 3 and ("64" in code or "atob" in code):
        for m in _B64_CALL.finditer(code):  # a payload decoded in the code is code of the same language
            from ccgpt.risk.decode import _b64

            decoded = _b64(m.group(1) or m.group(2) or "")
            if decoded:
                check_code_text(decoded, cmd, ctx, depth + 1)
    code = _normalise(code)
    found = False
    for text in _commands_run(code, cmd.argv[0]):
        ctx.nested(text, cmd.span)
        found = True
    found = found or runs_its_input(code)  # rules/code.py reads what feeds it as code
    if _SHELL_PIPE.search(code):  # what it prints goes to a shell
        for lit in _literals(code):
            if lit.strip() and not _SHELL_PIPE.search(f'|"{lit}"') and lit.strip() not in ("|-", "w"):
                ctx.nested(lit, cmd.span)
        found = True
    for m in _PY_EXEC.finditer(code) if _python(cmd.argv[0]) and depth < 3 else ():
        check_code_text(m.group(1).replace('\\"', '"'), cmd, ctx, depth + 1)  # Python's exec() runs Python
        found = True

    def rules(argv: list[str]) -> None:
        sub = Cmd(argv, [cmd.span] * len(argv), cmd.span, [], None, False, cmd.cwd)
        ctx.check(sub)

    for m in _RMTREE.finditer(code):
        rules(["rm", "-r", "-f", "--", m.group(2)])
        found = True
    for m in _RM_RECURSIVE.finditer(code):
        rules(["rm", "-r", "-f", "--", m.group(1)])
        found = True
    for m in _REMOVE.finditer(code):
        rules(["rm", "-f", "--", m.group(2) if m.group(2) is not None else m.group(4)])
        found = True
    for m in _OPEN_WRITE.finditer(code):
        from ccgpt.risk.rules.files import write_target

        path = next(g for g in (m.group(2), m.group(4), m.group(6)) if g is not None)
        write_target(cmd, ctx, path, cmd.span)
        found = True
    for m in _CHMOD.finditer(code) if "chmod" in code else ():
        rules(["chmod", m.group(2), m.group(1)])  # `os.chmod("/bin/bash", 0o4755)`: a setuid shell
        found = True
    if not found and _SPAWN.search(code):
        # A process API called in a way not read above (`from subprocess import call as c`):
        # every literal it could be handed is read as a command line.
        for lit in _literals(code):
            if " " in lit.strip():
                ctx.nested(lit, cmd.span)
        for m in _LIST.finditer(code):
            ctx.nested(argv_line(_literals(m.group())), cmd.span)
    if _NETWORK.search(code) and _EVALS.search(code):
        ctx.add(REMOTE_CODE, cmd.span, "inline code runs code it fetches from the network")
    if not found and _DELETE.search(code):
        ctx.add(FORCED_DELETE, cmd.span, "inline code deletes files")
        found = True
    if _NETWORK.search(code) and any(P.secret_path(s) for s in _literals(code)):
        ctx.add(EXFILTRATION, cmd.span, "inline code reads a secret file and talks to the network")
        found = True
    ctx.add(RUNS_SCRIPT, cmd.span, f"runs inline {cmd.argv[0]} code")
