"""Roles inside `ccgpt chat`: `--role NAME` at the start, `/role NAME` to switch, `/role` to show."""

from __future__ import annotations

import sys


def apply_role(role, history, args, backend_name: str, model: str) -> tuple[str, float | None]:
    """Make `role` the conversation's: its system prompt (unless -s was given) in history[0];
    returns the model (-m still wins) and the temperature (-t still wins)."""
    from ccgpt.assist.roles import role_model

    if not getattr(args, "system", None):
        history[0].content = role.system
    temperature = args.temperature if getattr(args, "temperature", None) is not None else role.temperature
    return role_model(role, backend_name, getattr(args, "model", None), model), temperature


def slash_role(name: str, history, args, backend_name: str, model: str, current, temperature):
    """Handle `/role [NAME]`; returns (model, temperature, role). A bad name changes nothing."""
    from ccgpt.assist.roles import get_role
    from ccgpt.errors import CcgptError
    from ccgpt.term.sanitize import sanitize_line

    if not name:
        print(f"role: {current.name if current else '(none)'}", file=sys.stderr)
        return model, temperature, current
    try:
        role = get_role(name)
    except CcgptError as exc:
        print(f"ccgpt: {sanitize_line(str(exc))}", file=sys.stderr)
        return model, temperature, current
    model, temperature = apply_role(role, history, args, backend_name, model)
    print(f"now in role {role.name}: {sanitize_line(role.description)}", file=sys.stderr)
    return model, temperature, role
