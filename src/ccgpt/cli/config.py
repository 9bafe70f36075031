"""`ccgpt config show|path|init`: the effective configuration, where it lives, a fresh one."""

from __future__ import annotations

import os
import sys

from ccgpt.errors import CcgptError, UsageError

_SECRETISH = ("key", "token", "secret", "password", "passwd")


def configure(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.add_parser("show", help="effective values, secrets masked, with where each came from")
    sub.add_parser("path", help="the configuration file in use (and where a user config goes)")
    init = sub.add_parser("init", help="write a commented configuration file (mode 0600)")
    init.add_argument("path", nargs="?", help="where to write it (default: the user config file)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")


def _mask(key: str, value):
    last = key.rsplit(".", 1)[-1].lower()
    if isinstance(value, str) and value and any(s in last for s in _SECRETISH) and not last.endswith("_env"):
        return value[:3] + "…" + f" ({len(value)} chars, masked)" if len(value) > 8 else "****"
    return value


def _flatten(node, prefix: str = ""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(node, list) and node and all(isinstance(v, dict) for v in node):
        for i, v in enumerate(node):
            yield from _flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, node


def _show(args) -> int:
    from ccgpt.cli.common import load_config, print_json

    cfg = load_config(args)
    rows = [("ccgpt." + k, _mask(k, v), cfg.source(k)) for k, v in _flatten(cfg.ccgpt)]
    for i, entry in enumerate(cfg.llms):
        for k, v in _flatten(entry):
            key = f"models.llms[{i}].{k}"
            rows.append((key, _mask(k, v), cfg.file_sources.get(key, "file")))
    if args.json:
        print_json(
            {
                "path": str(cfg.path) if cfg.path else None,
                "chosen_by": cfg.chosen_by,
                "values": [{"key": k, "value": v, "source": s} for k, v, s in rows],
            }
        )
        return 0
    from ccgpt.term.sanitize import sanitize_line

    where = f"{cfg.path} ({cfg.chosen_by})" if cfg.path else "no file: built-in defaults"
    print(f"# {sanitize_line(where)}")
    width = max(len(k) for k, _, _ in rows)
    for key, value, source in rows:
        shown = repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else value
        print(f"{key:<{width}}  {sanitize_line(str(shown))}  [{source}]")
    return 0


def _path(args) -> int:
    from ccgpt.cli.common import print_json
    from ccgpt.config import find_config_file
    from ccgpt.paths import user_config_file

    path, why = find_config_file(args.config)
    if args.json:
        print_json({"path": str(path) if path else None, "chosen_by": why, "user_config": str(user_config_file())})
    elif path:
        print(path)
    else:
        print(user_config_file())
        if not args.quiet:
            print("(not created yet: `ccgpt config init` writes it)", file=sys.stderr)
    return 0


def _init(args) -> int:
    from pathlib import Path

    from ccgpt.config import template_text
    from ccgpt.paths import ensure_private_dir, user_config_file

    target = Path(args.path) if args.path else user_config_file()
    if target.exists() and not args.force:
        raise CcgptError(f"{target} exists; pass --force to overwrite it")
    if not args.path:
        ensure_private_dir(target.parent)
    # Written to a temporary file created 0600 and renamed into place, so there is never a
    # moment where the file exists with default permissions or half-written.
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(template_text())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CcgptError(f"cannot write {target}: {exc.strerror or exc}") from None
    print(target)
    return 0


def run(args) -> int:
    actions = {"show": _show, "path": _path, "init": _init}
    if args.action not in actions:
        raise UsageError("choose an action: ccgpt config show | path | init")
    return actions[args.action](args)
