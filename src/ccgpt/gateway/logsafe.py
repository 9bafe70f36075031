"""Log lines that cannot be forged: every value a gateway log line carries is escaped.

A model name, a key name or an upstream's error text may hold a newline, a C1 control (U+0085
is a line break to some viewers), a bidi override (U+202E flips what follows) or a line
separator; written raw, any of these can fake a log line or hide part of one. The filter
escapes each such character in the arguments of every record of the gateway's logger, so no
call site can forget it.
"""

from __future__ import annotations

import logging
import unicodedata

_BAD = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def escape(text: str) -> str:
    if text.isprintable():  # fast path: nothing to escape (printable excludes every class above)
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) in _BAD:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


class EscapeArgs(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(escape(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: escape(v) if isinstance(v, str) else v for k, v in record.args.items()}
        if not record.args and isinstance(record.msg, str):
            record.msg = escape(record.msg)
        return True


def install(logger: logging.Logger) -> None:
    if not any(isinstance(f, EscapeArgs) for f in logger.filters):
        logger.addFilter(EscapeArgs())
