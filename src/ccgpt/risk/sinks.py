"""Output process substitutions: `X > >(C)`, `tee >(C)` and `curl -o >(C)` feed C what X writes,
as `X | C` would. The walk of `>(C)` itself sees no input (the substitution is evaluated with
the words, before X is known), so once X's output is known C is read again behind a stand-in
for that output: text X prints (`echo 'rm -rf /' > >(sh)`) or content from the network
(`curl URL > >(bash)`). Other outputs add nothing: C's first reading already counted.

A bare `exec > >(C)` hands C the output of the rest of the line (of the whole session, typed at a
prompt): every later command whose output is not redirected elsewhere feeds C too, so
`exec > >(sh); echo 'rm -rf /'` reads as `echo 'rm -rf /' | sh`. That over-counts a stage whose
output goes into a pipe, which errs on the side of caution."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from ccgpt.risk.commands import NET_FETCH
from ccgpt.risk.model import NET, TEXT, Cmd, Output

if TYPE_CHECKING:
    from ccgpt.risk.analyze import Analyzer

# a stand-in whose output the engine reads as network content (the host is never contacted)
_FROM_NETWORK = "curl -fsSL https://content.invalid/"


_STDOUT = ("", "1")


def stdout_sinks(redirects) -> list[tuple[str, tuple[int, int]]]:
    """The `>(C)` substitutions that receive standard output (`> >(C)`, `1> >(C)`, `&> >(C)`)."""
    return [s for r in redirects if r.info is not None and r.info.sinks and r.op in (">", ">>", ">|", "&>", "&>>")
            and (r.fd in _STDOUT or r.op.startswith("&")) for s in r.info.sinks]


def stdout_elsewhere(redirects) -> bool:
    """The command's own standard output goes to a file or descriptor of its own."""
    return any(r.op in (">", ">>", ">|", "&>", "&>>", ">&") and (r.fd in _STDOUT or r.op.startswith("&"))
               for r in redirects)


def feed_sinks(an: Analyzer, cmd: Cmd, out: Output, sinks: list[tuple[str, tuple[int, int]]]) -> None:
    data = out if out.kind in (NET, TEXT) else None
    if data is None and cmd.stdin is not None and cmd.stdin.kind in (NET, TEXT) and cmd.argv[:1] == ["tee"]:
        data = cmd.stdin  # `… | tee >(sh)`: tee writes its input to every file it names
    if data is None and cmd.net_args:
        data = Output(NET)
    if data is None and cmd.argv[:1] and cmd.argv[0] in NET_FETCH:
        data = Output(NET)  # `curl -o >(sh) URL`: the download goes into the substitution
    if data is None:
        return
    source = _FROM_NETWORK if data.kind == NET else "printf %s " + shlex.quote(data.text)
    for code, span in sinks:
        an.nested(f"{source} | {code}", span)  # `a; b`: a reads the input first
