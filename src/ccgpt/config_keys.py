"""Unknown keys in the `[ccgpt]` tables of a configuration file, with the closest known one.

A misspelled key (`backendd = "embedded"`) would otherwise be silently ignored and its default
used. The known keys are those of the shipped template (data/default_config.toml), plus the few
that the template documents only in comments.
"""

from __future__ import annotations

# Keys that are valid but not set in the template (arrays of tables, documented in comments).
EXTRA = {"gateway.upstreams"}


def unknown_keys(own: dict, known: dict, prefix: str = "") -> list[tuple[str, str | None]]:
    """(dotted key under [ccgpt], closest known key or None) for each key the template lacks.

    Tables whose template value is empty (`extra_body = {}`) are free-form and not checked."""
    out: list[tuple[str, str | None]] = []
    for key, value in own.items():
        dotted = prefix + key
        if key not in known:
            if dotted in EXTRA:
                continue
            import difflib  # only for a key that is wrong: not on every start-up

            close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
            out.append((dotted, prefix + close[0] if close else None))  # dotted under [ccgpt]
        elif isinstance(value, dict) and isinstance(known[key], dict) and known[key]:
            out += unknown_keys(value, known[key], dotted + ".")
    return out


def warnings(own: dict, known: dict, origin: str) -> list[str]:
    lines = []
    for dotted, close in unknown_keys(own, known):
        hint = f"; did you mean ccgpt.{close}?" if close else " (it is ignored)"
        lines.append(f"{origin}: unknown key ccgpt.{dotted}{hint}")
    return lines
