"""`ccgpt roles list | show NAME | new NAME`: role presets (system prompt, model, temperature, task).

Use one with `ccgpt ask --role NAME` or `/role NAME` in `ccgpt chat`.
"""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="list|show|new", required=True)
    sub.add_parser("list", help="built-in roles and your own")
    s = sub.add_parser("show", help="everything about one role, its system prompt included")
    s.add_argument("name")
    n = sub.add_parser("new", help="write a role file in the config directory")
    n.add_argument("name", help="lower-case letters, digits, - or _")
    n.add_argument("--system", help="the role's instructions (default: a copy of --from's, to edit)")
    n.add_argument("--description", help="one line shown by `roles list`")
    n.add_argument("--from", dest="base", default="general", metavar="ROLE", help="start from this role (default: general)")
    n.add_argument("--role-model", dest="role_model", metavar="MODEL", help="model this role uses unless -m is given (-m here does the same)")
    n.add_argument("--temperature", type=float)
    n.add_argument("--task", choices=("shell", "code", "general"), help="for model routing")
    n.add_argument("--force", action="store_true", help="replace an existing file")


def _warn(warnings: list[str]) -> None:
    from ccgpt.term.sanitize import sanitize_line

    for line in warnings:
        print(f"ccgpt: warning: {sanitize_line(line)}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from ccgpt.assist import roles
    from ccgpt.cli.common import print_json
    from ccgpt.term.sanitize import sanitize, sanitize_line

    if args.action == "list":
        found, warnings = roles.all_roles()
        _warn(warnings)
        if args.json:
            print_json([r.to_json() for r in found])
            return 0
        width = max(len(r.name) for r in found) + 2
        for r in found:
            origin = "built-in" if r.builtin else "yours"
            model = f"  [{sanitize_line(r.model)}]" if r.model else ""
            print(f"{r.name:<{width}}{origin:<10}{sanitize_line(r.description)}{model}")
        return 0
    if args.action == "show":
        role = roles.get_role(args.name)
        if args.json:
            print_json(role.detail_json())
            return 0
        print(f"name: {role.name} ({'built-in' if role.builtin else sanitize_line(str(role.path))})")
        print(f"description: {sanitize_line(role.description)}")
        print(f"model: {sanitize_line(role.model) if role.model else '(the configured model for ' + role.task + ' tasks)'}")
        print(f"temperature: {role.temperature if role.temperature is not None else '(backend default)'}")
        print(f"task: {role.task}")
        print("system:")
        print("  " + sanitize(role.system).replace("\n", "\n  "))
        return 0
    base = roles.get_role(args.base)
    role = roles.Role(args.name, args.description if args.description is not None else f"based on {base.name}",
                      args.system if args.system is not None else base.system,
                      args.role_model or args.model, args.temperature if args.temperature is not None else base.temperature,
                      args.task or base.task, builtin=False)
    path = roles.create_role(role, force=args.force)
    if args.json:
        print_json({**role.detail_json(), "path": str(path)})
    else:
        print(path)
        if not args.quiet:
            print(f"ccgpt: role {role.name!r} written; edit it, then `ccgpt ask --role {role.name} …`", file=sys.stderr)
    return 0
