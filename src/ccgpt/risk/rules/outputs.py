"""What a command writes to its stdout, as far as the next pipeline stage (or a `$( )` around
it) needs to know: network content (`curl URL | sh`), literal text (`echo … | bash`), paths
(`find / | xargs rm`), a secret (`cat .env | nc …`), or something unknown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk import commands as C
from ccgpt.risk import paths as P
from ccgpt.risk.decode import static_output
from ccgpt.risk.model import NET, PATHS, TEXT, UNKNOWN, Cmd, Output

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

# Filters whose output still carries the secret they read (`xxd -p key | head -c 32`).
_SECRET_CARRIERS = frozenset("cat tar gzip bzip2 xz zstd base64 base32 xxd od hexdump zip tee gpg openssl head tail cut tr "
                             "rev fold sort uniq sed awk gawk strings".split())
_DECOMPRESSORS = frozenset("gunzip zcat bunzip2 bzcat unxz xzcat zstdcat unzstd lz4cat funzip".split())
_COMPRESSORS = frozenset("gzip bzip2 xz zstd lz4 lzma pigz pbzip2 brotli".split())


def _network(cmd: Cmd, ctx: Context) -> Output:
    for r in cmd.redirects:  # `curl URL > i.sh; sh i.sh` runs what was downloaded
        if r.op in (">", ">>", ">|", "&>") and r.fd in ("", "1") and r.target and not P.harmless_sink(r.target):
            ctx.downloads.add(P.resolve(r.target))
    if cmd.argv[0] == "curl":
        flags = C.short_flags(cmd.argv)[0]
        out = C.option_value(cmd.argv, "-o", "--output")
        if out not in (None, "-") or flags & {"-O", "--remote-name", "--remote-name-all"}:
            return Output()
    return Output(NET)


def _decompressing(cmd: Cmd) -> bool:
    prog = cmd.argv[0]
    if prog in _DECOMPRESSORS:
        return True
    if prog in _COMPRESSORS:
        flags = C.short_flags(cmd.argv)[0]
        return bool(flags & {"-d", "--decompress", "--uncompress"}) and bool(flags & {"-c", "--stdout", "--to-stdout"})
    return False


def _extracting(cmd: Cmd) -> bool:
    """Archive members or decoded files sent to stdout (`unzip -p`, `tar -xO`, `uudecode -o -`,
    `7z e -so`, `gpg -d`): what comes out is not known here, a packed payload."""
    argv, prog = cmd.argv, cmd.argv[0]
    if prog in ("unzip", "funzip"):
        return prog == "funzip" or any(a in ("-p", "-c") for a in argv[1:])
    if prog in ("tar", "bsdtar", "gtar"):
        return any(a in ("-O", "--to-stdout") or a[:1] == "-" and a[1:2] != "-" and "O" in a for a in argv[1:]) or (
            argv[1:2] != [] and not argv[1].startswith("-") and "x" in argv[1] and "O" in argv[1])
    if prog == "uudecode":
        return C.option_value(argv, "-o", "--output-file") in ("/dev/stdout", "-")
    if prog in ("7z", "7za", "7zr"):
        return "-so" in argv
    if prog in ("gpg", "gpg2", "age"):
        return any(a in ("-d", "--decrypt") for a in argv[1:]) and C.option_value(argv, "-o", "--output") is None
    return False


class _Pending(Output):
    """What a command prints, worked out only when something reads it (the next stage of a pipe,
    a `$( )` around it): most commands' output goes nowhere the engine looks, and working it out
    is a tenth of a classification. Output's slots stay unset until then, so the first read of
    any of them lands in __getattr__, which fills them all from the real answer."""

    __slots__ = ("_cmd", "_ctx")

    def __init__(self, cmd: Cmd, ctx: Context) -> None:  # Output.__init__ not called: on purpose
        self._cmd, self._ctx = cmd, ctx

    def __getattr__(self, name: str):
        if name in ("_cmd", "_ctx"):
            raise AttributeError(name)
        real = _output_now(self._cmd, self._ctx)
        for slot in Output.__slots__:
            setattr(self, slot, getattr(real, slot))
        return getattr(self, name)


def output_of(cmd: Cmd, ctx: Context) -> Output:
    """What `cmd` prints. Network programs are read at once: reading them records downloads
    (`curl URL > i.sh`) that later commands of the line are checked against."""
    prog = cmd.argv[0]
    if cmd.inner_output is None and prog not in C.NET_FETCH and prog not in C.NET_PIPES:
        return _Pending(cmd, ctx)
    return _output_now(cmd, ctx)


def _output_now(cmd: Cmd, ctx: Context) -> Output:
    prog = cmd.argv[0]
    if cmd.inner_output is not None:  # `docker exec c curl URL | sh`: the container's output
        return cmd.inner_output
    local_openssl = prog == "openssl" and cmd.argv[1:2] not in (["s_client"], ["s_server"])
    if not local_openssl and (prog in C.NET_FETCH or prog in C.NET_PIPES):
        return _network(cmd, ctx)
    if prog in ("tee", "pv", "cat") and cmd.stdin is not None and (prog != "cat" or len(cmd.argv) == 1):
        return cmd.stdin
    if cmd.stdin is not None and cmd.stdin.kind == NET:
        return cmd.stdin  # `curl URL | gunzip | sh`, `| tar -xzO | sh`: still network code
    out = static_output(cmd)
    if out is None and prog in ("awk", "gawk", "mawk", "nawk"):
        from ccgpt.risk.rules.awkprog import printed_text

        text = printed_text(cmd.argv)
        out = Output(TEXT, text) if text is not None else None
    if out is None and prog in C.INTERPRETERS:
        from ccgpt.risk.rules.inline import printed_output

        out = printed_output(cmd)
    if out is not None:
        return out
    if _decompressing(cmd) or _extracting(cmd):
        return Output(UNKNOWN, decoded=True)  # `zcat payload.gz | sh`: a payload packed out of sight
    if prog == "find":
        roots = cmd.find_roots or ["."]
        return Output(PATHS, roots[0], filtered=cmd.find_filtered)
    if prog in ("fd", "fdfind"):
        from ccgpt.risk.rules.fanout import fd_search

        roots, filtered, _ = fd_search(cmd.argv)
        return Output(PATHS, roots[0], filtered=filtered)
    if prog in ("ls", "locate"):
        ops = [a for a in cmd.argv[1:] if not a.startswith("-")]
        return Output(PATHS, ops[0] if ops else ".", filtered=prog != "ls")
    if prog in ("env", "printenv", "set", "history", "export", "declare"):
        return Output(UNKNOWN, secret=True)
    secret = cmd.secret_args or (cmd.stdin is not None and prog in _SECRET_CARRIERS and cmd.stdin.secret)
    if cmd.stdin is not None and (cmd.stdin.kind == TEXT or cmd.stdin.decoded):
        # Text of the line through a transform not evaluated here (`| cut -c1- | sh`, `| perl -pe
        # … | sh`): what comes out is a payload built out of sight, not plain unknown input.
        return Output(UNKNOWN, secret=bool(secret), decoded=True, args=None if secret else cmd.argv[1:])
    return Output(UNKNOWN, secret=True) if secret else Output(UNKNOWN, args=cmd.argv[1:])
