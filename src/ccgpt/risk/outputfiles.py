"""Files a program writes because an option or an operand names them (`curl -o F`, `strace -o F`,
`uniq IN OUT`, `perl -pi -e … F`, `ex -sc '%d|x' F`).

One table, one reader. Each entry is one line of words:
  `-o` `--output`   an option whose value is a file the program writes (attached `-oF`, separate
                    `-o F`, inside a cluster `-sSo F`, long `--output F`/`--output=F`, and any
                    prefix of a long option: getopt_long's abbreviations)
  `+-a`             the same, appended to (`wget -a LOG`)
  `-oA:.nmap:.xml`  the value is a base name: the files written are the base plus each suffix
  `val:-f,--from`   options that take a value that is not written (needed to count operands)
  `opt:-i,--timing` options whose value is optional and only attached (`perl -i.bak`)
  `pos:N` `pos:N+` `pos:last` `pos:all`   operands that are written (1-based); `last` needs two
  `if:-i`           operands are written only with one of these (`perl -i`, `yq -i`)
  `unless:-l`       nothing is written with one of these (`ssh-keygen -l -f KEY` reads KEY)
  `append:-a`       with one of these every target is appended to (`time -a -o F`)
  `dir:-d`          relative targets are under this option's value (`aria2c -d DIR -o F`)
  `script:-e`       the first operand is a program file unless one of these gives the code
  `words`           single-dash options are whole words (`gcc -static`, `nmap -oN`), not clusters
  `remote`          `host:path` operands are on another machine (`scp`)
  `edit`            an editor: operands are written only when its commands write (`-c wq`, `x`)
Keys are a program, or a program and the words that follow it (`"python -m json.tool"`). Every
target is fed to `rules.files.write_target`, the check a redirection gets, so `curl -o /dev/sda`
and `> /dev/sda` cannot disagree. The table only adds readings: a spelling it does not know
leaves the program's own rules as they were."""

from __future__ import annotations

import re

from functools import lru_cache
from typing import TYPE_CHECKING

from ccgpt.risk import commands as C
from ccgpt.risk.lazyre import lazy_re

if TYPE_CHECKING:
    from ccgpt.risk.model import Cmd

_CC = "-o -MF words"
_VIM = "pos:all edit +-w -W val:-c,--cmd,-S,-u,-U,-i,-T,-t,-q,-r,--servername,--remote opt:-o,-O,-p"
_PERL = "pos:all if:-i script:-e,-E val:-e,-E,-I,-M,-m opt:-i,-l,-0,-x,-C,-d,-D,-F,-V"
OUTPUTS: dict[str, str] = {
    # network clients
    "curl": "-o --output -D --dump-header -c --cookie-jar --trace --trace-ascii --stderr --libcurl --etag-save "
            "--hsts --alt-svc dir:--output-dir val:-A,-b,-C,-d,-e,-E,-F,-H,-K,-m,-P,-Q,-r,-T,-u,-U,-w,-x,-X,-y,-Y,-z,-t",
    "wget": "-O --output-document -o --output-file +-a +--append-output --save-cookies --rejected-log "
            "dir:-P,--directory-prefix val:-e,-i,-B,-t,-T,-w,-Q,-U,-l,-A,-R,-D,-I,-X,-n",
    "aria2c": "-o --out -l --log --save-session dir:-d,--dir val:-i,-x,-s,-j,-k,-t,-m,-U,-T,-M,-u",
    "scp": "pos:last remote val:-c,-F,-i,-J,-l,-o,-P,-S,-D,-X",
    "ssh": "+-E val:-B,-b,-c,-D,-e,-F,-I,-i,-J,-L,-l,-m,-O,-o,-p,-Q,-R,-S,-W,-w",
    # capture and scanners
    "tcpdump": "-w val:-B,-c,-C,-E,-F,-G,-i,-j,-M,-m,-r,-s,-T,-V,-W,-y,-z,-Z,-Q",
    "tshark": "-w val:-i,-f,-Y,-r,-c,-a,-b,-o,-e,-E,-T,-R,-s,-y,-d",
    "dumpcap": "-w val:-i,-f,-c,-a,-b,-s,-y,-B",
    "nmap": "words -oN -oX -oG -oS -oM -oH --oN --oX --oG -oA:.nmap:.xml:.gnmap",
    # wrappers and pagers that log (their command is read by the wrapper walker)
    "strace": "-o --output append:-A val:-e,-E,-p,-P,-s,-u,-I,-b,-X,-a,-S,-U",
    "ltrace": "-o --output val:-a,-A,-D,-e,-F,-l,-n,-p,-s,-u,-w,-x",
    "time": "-o --output append:-a,--append val:-f,--format",
    "valgrind": "--log-file --xml-file",
    "less": "-o --log-file -O --LOG-FILE val:-b,-h,-j,-k,-p,-P,-t,-T,-x,-y,-z,-#",
    "script": "pos:1 -O --log-out -I --log-in -B --log-io -T --log-timing -t --timing opt:-t,--timing "
              "append:-a,--append val:-c,-E,-m,-o,--command,--echo,--logging-format,--output-limit",
    # filters with an output file
    "uniq": "pos:2 val:-f,-s,-w,--skip-fields,--skip-chars,--check-chars",
    "xxd": "pos:2 words val:-c,-cols,-g,-groupsize,-l,-len,-o,-offset,-s,-seek,-n,-name",
    "iconv": "-o --output val:-f,-t,--from-code,--to-code",
    "python -m json.tool": "pos:2 val:--indent",
    "sort": "-o --output val:-k,--key,-t,--field-separator,-S,--buffer-size,-T,--temporary-directory,--parallel,"
            "--batch-size,--files0-from,--compress-program,--random-source,--sort",
    "shuf": "-o --output val:-n,-i,--head-count,--input-range,--random-source",
    "sdiff": "-o --output val:-w,-I,--width,--ignore-matching-lines,--diff-program",
    "sponge": "pos:1 append:-a",
    "patch": "pos:1 -o --output -r --reject-file dir:-d,--directory val:-B,-D,-F,-g,-i,-p,-V,-Y,-z,--input,"
             "--strip,--fuzz,--prefix,--suffix,--basename-prefix,--ifdef,--get,--quoting-style,--version-control",
    "dos2unix": "pos:all unless:-O,--to-stdout,-i,--info val:-c,--convmode",
    "unix2dos": "pos:all unless:-O,--to-stdout,-i,--info val:-c,--convmode",
    # the first operand is the expression: `yq -i '.a = 1' f.yaml`, `yq e -i '.a = 1' f.yaml`
    **{y: "pos:2+ if:-i,--inplace val:-o,-p,-I,--output-format,--input-format,--indent"
       for y in ("yq", "yq e", "yq eval", "yq eval-all", "yq ea")},
    "pandoc": "-o --output val:-f,-t,-r,-w,--from,--to,--read,--write",
    "dot": "-o words",
    "convert": "pos:last words",
    "magick": "pos:last words",
    # builds, keys, credentials, dumps
    **{cc: _CC for cc in "gcc g++ cc c++ clang clang++ tcc gfortran".split()},
    "ld": "-o --output words", "as": "-o words", "nasm": "-o words", "rustc": "-o words", "strip": "-o words",
    "objcopy": "pos:2 words", "go build": "-o words", "mkisofs": "-o words", "genisoimage": "-o words",
    "gpg": "-o --output val:-r,-u,-z,-R,-f,--recipient,--local-user,--homedir,--default-key",
    "age": "-o --output val:-r,-R,-i,--recipient,--recipients-file,--identity",
    "ssh-keygen": "-f unless:-l,-y,-F,-B,-L,-Q,-e,-i val:-a,-b,-C,-D,-E,-F,-G,-I,-J,-j,-K,-M,-m,-N,-n,-O,-P,"
                  "-r,-s,-T,-t,-V,-w,-Y,-z,-Z",
    "htpasswd": "pos:1 unless:-n,-v val:-C,-r",
    "htdigest": "pos:1",
    "pg_dump": "-f --file val:-d,-h,-p,-U,-n,-t,-T,-N,-F,-Z,-j,-E,-S",
    "pg_dumpall": "-f --file val:-d,-h,-p,-U,-l,-S",
    "mysqldump": "-r --result-file val:-u,-h,-P,-S,--user,--host,--port,--socket opt:-p,--password",
    # in-place editors
    "perl": _PERL,
    "ruby": "pos:all if:-i script:-e dir:-C val:-e,-I,-r,-C,-E,--encoding opt:-i,-0,-x,-W,-K,-F,-T",
    **{v: _VIM for v in ("vim", "vi", "nvim", "ex", "view", "vimdiff")},
    "ed": "pos:1 edit val:-p", "red": "pos:1 edit val:-p",
}


class Spec:
    __slots__ = ("outputs", "appended", "suffixes", "values", "optional", "positions", "when", "unless",
                 "appending", "dirs", "script", "words", "remote", "edit")

    def __init__(self, line: str) -> None:
        self.outputs: set[str] = set()
        self.appended: set[str] = set()
        self.suffixes: dict[str, list[str]] = {}
        self.values: set[str] = set()
        self.optional: set[str] = set()
        self.positions: list[str] = []
        self.when: set[str] = set()
        self.unless: set[str] = set()
        self.appending: set[str] = set()
        self.dirs: set[str] = set()
        self.script: set[str] = set()
        self.words = self.remote = self.edit = False
        lists = {"val": self.values, "opt": self.optional, "if": self.when, "unless": self.unless,
                 "append": self.appending, "dir": self.dirs, "script": self.script}
        for tok in line.split():
            key, _, rest = tok.partition(":")
            if key in lists:
                lists[key].update(rest.split(","))
            elif key == "pos":
                self.positions.append(rest)
            elif tok in ("words", "remote", "edit"):
                setattr(self, tok, True)
            else:
                name = key.lstrip("+")
                self.outputs.add(name)
                if key.startswith("+"):
                    self.appended.add(name)
                if rest:
                    self.suffixes[name] = rest.split(":")

    def valued(self) -> set[str]:
        """Every option that takes a value (written or not), the directory options included."""
        return self.outputs | self.values | self.dirs


@lru_cache(maxsize=None)
def spec(key: str) -> Spec:
    return Spec(OUTPUTS[key])


def entry(argv: list[str]) -> tuple[Spec, int] | None:
    """The table entry of a command line and where its options start."""
    if not argv:
        return None
    prog = C.program(argv[0])
    for n in (3, 2):
        key = " ".join([prog] + argv[1:n])
        if len(argv) >= n and key in OUTPUTS:
            return spec(key), n
    return (spec(prog), 1) if prog in OUTPUTS else None


def _long(name: str, known: set[str]) -> list[str]:
    """`--out` → the listed long options it abbreviates (every one: reading more only adds)."""
    if name in known:
        return [name]
    return [x for x in known if x.startswith("--") and x.startswith(name) and len(name) > 3]


def read_getopt(argv: list[str], start: int, s: Spec) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Options and operands as GNU getopt_long reads them (operands and options mixed), through
    `commands.getopt`."""
    valued = s.valued()
    short = "".join(o[1] for o in valued - s.optional if len(o) == 2 and o[0] == "-" and o[1] != "-")
    optional = "".join(o[1] for o in s.optional if len(o) == 2 and o[1] != "-")
    longs = frozenset(o for o in valued - s.optional if o.startswith("--"))
    long_opt = frozenset(o for o in s.optional if o.startswith("--"))
    opts: list[tuple[str, str | None]] = []
    operands: list[str] = []
    i, n = start, len(argv)
    while i < n:
        got, j = C.getopt(argv, i, short, optional, longs, long_opt, permute=False)
        j = min(j, n)  # a value-taking option as the last word (`time -o`): getopt steps past the end
        named = valued | s.optional | s.when | s.unless | s.appending
        for k, v in got:
            opts += [(x, v) for x in (_long(k, named) or [k])] if k.startswith("--") else [(k, v)]
        if j > i and argv[j - 1] == "--" and not (got and got[-1][1] == "--"):
            operands += argv[j:]  # after `--` every word is an operand
            break
        if j < n:
            operands.append(argv[j])
        i = j + 1
    return opts, operands


def read_words(argv: list[str], start: int, s: Spec) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Single-dash long options (`gcc -static -o app`, `nmap -oN F`, `xxd -cols 8`): a listed option
    is a whole word, `OPT=VALUE`, or attached (`-oapp`); any other dash word is a flag."""
    valued = sorted(s.valued(), key=len, reverse=True)
    opts: list[tuple[str, str | None]] = []
    operands: list[str] = []
    i, n = start, len(argv)
    while i < n:
        a = argv[i]
        i += 1
        if a == "--":
            operands += argv[i:]
            break
        if not a.startswith("-") or a == "-":
            operands.append(a)
            continue
        name, eq, val = a.partition("=")
        if name in valued:
            if eq:
                opts.append((name, val))
            else:
                opts.append((name, argv[i] if i < n else None))
                i += 1
            continue
        glued = next((o for o in valued if a.startswith(o) and not o.startswith("--")), None)
        opts.append((glued, a[len(glued):]) if glued else (a, None))
    return opts, operands


_REMOTE = lazy_re(r"^[^/]*:|^scp://")
_EX_WRITE = lazy_re(r"^\s*:*\s*[-%\d,.$'<>;+/ ]*\s*(w|wq|wqa|wqall|wa|wall|x|xa|xall|xit|exi|exit|up|update|"
                    r"sav|saveas|wn|wp|W)!?(\s|$)")


def _writes(commands: list[str]) -> bool:
    return any(_EX_WRITE.match(part) for c in commands for line in c.split("\n") for part in line.split("|"))


def _editor_writes(cmd: Cmd, s: Spec, opts: list, operands: list[str]) -> bool:
    """Whether an editor run writes the files it opens: its `-c`/`--cmd`/`+CMD` commands save, or
    it reads ex or ed commands from a pipe (known text that saves, or text not known here)."""
    commands = [v for k, v in opts if k in ("-c", "--cmd") and v] + [a[1:] for a in operands if a.startswith("+")]
    if _writes(commands):
        return True
    prog = C.program(cmd.argv[0])
    ex_mode = prog in ("ex", "ed", "red") or any(k in ("-e", "-E") for k, _ in opts)
    stdin = cmd.stdin
    if not ex_mode or stdin is None:
        return False  # an interactive session: what the user saves is theirs
    return stdin.kind != "text" or _writes([stdin.text or ""])


def _positions(s: Spec, operands: list[str]) -> list[str]:
    picked: list[str] = []
    for p in s.positions:
        if p == "all":
            picked += operands
        elif p == "last":
            picked += operands[-1:] if len(operands) > 1 else []
        elif p.endswith("+"):
            picked += operands[int(p[:-1]) - 1:]
        elif int(p) <= len(operands):
            picked.append(operands[int(p) - 1])
    return picked


def targets(cmd: Cmd, argv: list[str] | None = None) -> list[tuple[str, bool]]:
    """The files `cmd` (or the words `argv` of a wrapper) writes by name: (path, appended)."""
    argv = cmd.argv if argv is None else argv
    if argv[:1] == ["perl"]:
        from ccgpt.risk.rules.perlcode import split_clusters

        argv = split_clusters(argv)  # `-lpi` is `-l -p -i`: perl's -l takes digits only
    found = entry(argv)
    if found is None:
        return []
    s, start = found
    opts, operands = (read_words if s.words else read_getopt)(argv, start, s)
    given = {k for k, _ in opts}
    if given & s.unless:
        return []
    out: list[tuple[str, bool]] = []
    for k, v in opts:
        if k in s.outputs and v is not None:
            out += [(v + x, k in s.appended) for x in s.suffixes.get(k, [""])]
    edits = s.edit and _editor_writes(cmd, s, opts, operands)
    if s.edit:
        operands = [a for a in operands if not a.startswith("+")]
    if s.script and not given & s.script:
        operands = operands[1:]  # `perl -i script.pl FILE`: the first operand is the program
    if s.remote:
        operands = operands if len(operands) < 2 or not _REMOTE.match(operands[-1]) else []
    if (not s.when or given & s.when) and (edits or not s.edit):
        out += [(p, False) for p in _positions(s, operands)]
    out += [(name, False) for name in _named_by_url(argv[0], given, operands, out)]
    where = next((v for k, v in opts if k in s.dirs and v), None)
    appending = bool(given & s.appending)
    return [(_under(where, p), a or appending) for p, a in out if p]


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def url_file_name(url: str, prog: str) -> str | None:
    """The file a download of `url` is saved as when no name is given: the last part of its
    path, query and fragment dropped. curl and wget both take a URL without a scheme
    (`curl -O x.example/i.sh` saves i.sh); a URL with no file part is index.html to wget and
    refused by curl."""
    rest = _SCHEME.sub("", url, count=1)
    path = rest.partition("/")[2] if "/" in rest else ""
    base = re.split(r"[?#]", path, maxsplit=1)[0].rsplit("/", 1)[-1]
    if base not in ("", ".", ".."):
        return base
    return "index.html" if prog == "wget" else None


def _named_by_url(prog: str, given: set[str], operands: list[str], named: list) -> list[str]:
    """The files a download names after its URL: `curl -O URL`, and `wget URL` without `-O`
    (`wget -P /etc http://x/passwd` writes /etc/passwd)."""
    remote = prog == "curl" and bool(given & {"-O", "--remote-name", "--remote-name-all"})
    if not (remote or prog == "wget" and not named):
        return []
    return [name for name in (url_file_name(w, prog) for w in operands) if name]


def _under(where: str | None, path: str) -> str:
    if where is None or path.startswith(("/", "~")) or path == "-":
        return path
    return where.rstrip("/") + "/" + path
