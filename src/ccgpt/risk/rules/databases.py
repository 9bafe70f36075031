"""Databases: the SQL or NoSQL text that clients send (`psql -c`, `mysql -e`, `sqlite3 DB SQL`,
`mongosh --eval`, `redis-cli FLUSHALL`, a heredoc on stdin) and the administration tools whose
subcommands drop what SQL's `DROP` drops (PostgreSQL's `dropdb`/`dropuser`, `mysqladmin drop
DB`): `sql-destructive` (dangerous). `mysqladmin shutdown` stops the server like `systemctl stop`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ccgpt.risk.commands import SHORT_VALUES, getopt
from ccgpt.risk.lazyre import lazy_re
from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

SQL_DESTRUCTIVE = rule("sql-destructive")
DISABLE_GUARD = rule("disable-guard")
DATABASE = rule("database")

_SQL_DESTRUCTIVE = lazy_re(r"\b(drop\s+(table|database|schema|index|view|user|role)|truncate\s+(table\s+)?\w)", re.I)
_SQL_DELETE = lazy_re(r"\bdelete\s+from\s+[\w.\"`]+\s*(;|$)", re.I | re.M)
# `WHERE 1`, `WHERE 1=1`, `WHERE true`, `WHERE 'a'='a'`, `WHERE id=id`: a condition every row meets
_SQL_TAUTOLOGY = lazy_re(r"\b(delete\s+from|update)\s+[\w.\"`]+\s+(set\s+[^;]*?\s+)?where\s+\(?\s*"
                         r"(1|true|not\s+0|not\s+false|(\w+|'[^']*'|\d+)\s*=\s*\4|1\s*<>\s*0|\w+\s+is\s+not\s+null\s+or\s+\w+\s+is\s+null)\s*\)?\s*(;|$)",
                         re.I | re.M)
# NoSQL and key-value stores: the same verbs in their own words
_NOSQL_DESTRUCTIVE = lazy_re(r"^\s*(flushall|flushdb)\b|\bdropDatabase\s*\(|\.drop\s*\(\s*\)|"
                             r"\.(deleteMany|remove)\s*\(\s*\{\s*\}\s*\)", re.I | re.M)
_SQL_UPDATE = lazy_re(r"\bupdate\s+[\w.\"`]+\s+set\b(?![^;]*\bwhere\b)", re.I)
_SQL_READ = lazy_re(r"^\s*(select|show|explain|describe|desc|\\d|\\l|\\dt|pragma|with)\b", re.I)
# client -> (the short options that carry the query text, the long option that does); the
# client's value letters are commands.SHORT_VALUES. Read as getopt does, so `psql -c'DROP …'`,
# `psql -Atc 'DROP …'`, `mysql --execute=…`, `clickhouse-client -q …`, `sqlcmd -Q …` are all
# the text sent.
_CLIENTS = {"psql": ("c", "--command"), "mysql": ("e", "--execute"), "mariadb": ("e", "--execute"),
            "sqlcmd": ("Qq", "--query"), "clickhouse-client": ("q", "--query"), "mongo": ("", "--eval"),
            "mongosh": ("", "--eval")}


def _texts(argv: list[str]) -> list[str]:
    text, long = _CLIENTS.get(argv[0], ("", ""))
    values = SHORT_VALUES.get(argv[0], "")
    optional = "p" if argv[0] in ("mysql", "mariadb") else ""  # `-pSECRET`: attached only
    opts, _ = getopt(argv, 1, values, optional, long_required=frozenset([long]) if long else frozenset(),
                     permute=True)
    found = [v for name, v in opts if v is not None and (name[1:] in text and len(name) == 2 or name == long)]
    # every client's spelling too, in case a client reads one the table does not list
    for i, x in enumerate(argv[1:], 1):
        if x in ("-c", "--command", "-e", "--execute", "--eval") and i + 1 < len(argv):
            found.append(argv[i + 1])
        elif x.startswith(("--command=", "--execute=")):
            found.append(x.split("=", 1)[1])
    return list(dict.fromkeys(found))


def sql(cmd: Cmd, ctx: Context) -> None:
    argv = cmd.argv
    texts = _texts(argv)
    if argv[0] in ("sqlite3",):
        ops = [x for x in argv[1:] if not x.startswith("-")]
        texts += ops[1:]
    if cmd.stdin is not None and cmd.stdin.kind == "text":
        texts.append(cmd.stdin.text)
    if argv[0] == "redis-cli":
        texts += [x for x in argv[1:] if x.lower() in ("flushall", "flushdb")]  # `redis-cli -h h FLUSHALL`
    text = "\n".join(texts)
    for code in shell_escapes(text):
        ctx.nested(code, cmd.span)
    if _SQL_DESTRUCTIVE.search(text) or _SQL_DELETE.search(text) or _SQL_UPDATE.search(text) or \
            _SQL_TAUTOLOGY.search(text) or _NOSQL_DESTRUCTIVE.search(text):
        ctx.add(SQL_DESTRUCTIVE, cmd.span)
    elif texts and all(_SQL_READ.match(t) for t in texts):
        return
    else:
        ctx.add(DATABASE, cmd.span, f"{argv[0]} may change a database")


# What a client runs on this machine from the text it is given: psql's and mysql's `\\! CMD`,
# mysql's `system CMD`, psql's `\\o |CMD`/`\\g |CMD`, sqlite3's `.shell`/`.system CMD` and
# `.once`/`.output |CMD`, and SQL's `COPY … TO|FROM PROGRAM 'CMD'` (run by the server, which may
# be this machine): each CMD is shell code that runs.
_SHELL_ESCAPE = lazy_re(r"(?:^|;|\\\\)\s*(?:\\!|!!|system\b)[ \t]*([^\n]+)"
                        r"|(?:^|;)\s*\.(?:shell|system)[ \t]+([^\n]+)"
                        r"|(?:\\[og]|\.once|\.output)[ \t]*(?:'\|([^'\n]+)'|\|([^\n]+))"
                        r"|\bprogram\s+'((?:[^']|'')+)'", re.I | re.M)


def shell_escapes(text: str) -> list[str]:
    """The shell commands a database client's input runs (see _SHELL_ESCAPE)."""
    found = []
    for m in _SHELL_ESCAPE.finditer(text):
        code = next(g for g in m.groups() if g is not None)
        found.append(code.replace("''", "'") if m.group(5) is not None else code.strip())
    return [c for c in found if c.strip()]


_MYSQLADMIN_READ = frozenset("status extended-status processlist variables version ping".split())


def pg_drop(cmd: Cmd, ctx: Context) -> None:
    """`dropdb [OPTS] NAME`, `dropuser [OPTS] NAME`: the operand is dropped with everything in it."""
    from ccgpt.risk.subcommands import positionals

    if positionals(cmd.argv):
        ctx.add(SQL_DESTRUCTIVE, cmd.span, f"{cmd.argv[0]} drops a database or role")


def mysqladmin(cmd: Cmd, ctx: Context) -> None:
    from ccgpt.risk.subcommands import positionals

    words = positionals(cmd.argv)  # `-u root drop shop`: `root` is -u's value
    if not words or set(words) <= _MYSQLADMIN_READ:
        return
    if "drop" in words:
        ctx.add(SQL_DESTRUCTIVE, cmd.span, "mysqladmin drop deletes a database with all its tables")
    elif "shutdown" in words:
        ctx.add(DISABLE_GUARD, cmd.span, "mysqladmin shutdown stops the database server")
    else:
        ctx.add(DATABASE, cmd.span, f"mysqladmin {words[0]} changes the database server")


PROGRAMS = {**{p: [sql] for p in ("psql", "mysql", "mariadb", "sqlite3", "sqlcmd", "mongo", "mongosh", "redis-cli",
                                   "clickhouse-client")},
            "dropdb": [pg_drop], "dropuser": [pg_drop], "mysqladmin": [mysqladmin], "mariadb-admin": [mysqladmin]}
