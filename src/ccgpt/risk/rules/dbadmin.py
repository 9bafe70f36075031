"""Database administration tools whose subcommands drop what SQL's `DROP` drops: PostgreSQL's
`dropdb`/`dropuser`, `mysqladmin drop DB`. Read like `psql -c 'DROP DATABASE x'`
(`sql-destructive`, dangerous); `mysqladmin shutdown` stops the server like `systemctl stop`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule
from ccgpt.risk.subcommands import positionals

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

SQL_DESTRUCTIVE = rule("sql-destructive")
DISABLE_GUARD = rule("disable-guard")
DATABASE = rule("database")

_MYSQLADMIN_READ = frozenset("status extended-status processlist variables version ping".split())


def pg_drop(cmd: Cmd, ctx: Context) -> None:
    """`dropdb [OPTS] NAME`, `dropuser [OPTS] NAME`: the operand is dropped with everything in it."""
    if positionals(cmd.argv):
        ctx.add(SQL_DESTRUCTIVE, cmd.span, f"{cmd.argv[0]} drops a database or role")


def mysqladmin(cmd: Cmd, ctx: Context) -> None:
    words = positionals(cmd.argv)  # `-u root drop shop`: `root` is -u's value
    if not words or set(words) <= _MYSQLADMIN_READ:
        return
    if "drop" in words:
        ctx.add(SQL_DESTRUCTIVE, cmd.span, "mysqladmin drop deletes a database with all its tables")
    elif "shutdown" in words:
        ctx.add(DISABLE_GUARD, cmd.span, "mysqladmin shutdown stops the database server")
    else:
        ctx.add(DATABASE, cmd.span, f"mysqladmin {words[0]} changes the database server")


PROGRAMS = {"dropdb": [pg_drop], "dropuser": [pg_drop], "mysqladmin": [mysqladmin], "mariadb-admin": [mysqladmin]}
