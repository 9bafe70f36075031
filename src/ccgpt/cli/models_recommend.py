"""`ccgpt models recommend` (memory-aware suggestions) and `ccgpt models use` (config edit)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

TASKS = ("shell", "code", "general", "embeddings")


def ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    except (ValueError, OSError, AttributeError):
        return None


def gpu_gb() -> list[float]:
    """Memory of each NVIDIA GPU, from nvidia-smi when it is installed."""
    exe = shutil.which("nvidia-smi")
    if not exe:
        return []
    try:
        out = subprocess.run([exe, "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [int(x) / 1024 for x in re.findall(r"\d+", out)]


def table() -> dict:
    import tomllib

    return tomllib.loads((Path(__file__).resolve().parents[1] / "data" / "model_recommendations.toml").read_text())


def choose(models: list[dict], budget_gb: float) -> dict[str, list[dict]]:
    """Per task: the largest models that fit in the budget, best first (at most 3)."""
    out: dict[str, list[dict]] = {}
    for task in TASKS:
        fits = [m for m in models if task in m["tasks"] and m["memory_gb"] <= budget_gb]
        out[task] = sorted(fits, key=lambda m: m["memory_gb"], reverse=True)[:3]
    return out


def recommend(args) -> int:
    from ccgpt.cli.common import print_json

    data = table()
    ram, gpus = ram_gb(), gpu_gb()
    # On a GPU the model should fit in its memory; on CPU leave room for the system and apps.
    budget = max(gpus) if gpus else (ram or 4) * 0.6
    picks = choose(data["model"], budget)
    if args.json:
        print_json({"ram_gb": round(ram, 1) if ram else None, "gpu_gb": [round(g, 1) for g in gpus],
                    "budget_gb": round(budget, 1), "table_updated": data.get("updated"),
                    "recommendations": {t: [m["name"] for m in ms] for t, ms in picks.items()},
                    "models": data["model"]})
        return 0
    where = f"GPU with {max(gpus):.0f} GB" if gpus else f"CPU only, {ram:.0f} GB RAM" if ram else "unknown memory"
    print(f"this machine: {where}; budget {budget:.1f} GB per model (table of {data.get('updated')})")
    for task, ms in picks.items():
        if not ms:
            print(f"  {task:<10} nothing in the table fits")
            continue
        best = ms[0]
        others = ", ".join(m["name"] for m in ms[1:])
        print(f"  {task:<10} {best['name']:<24} {best['params']:>5} params, {best['download_gb']:>4} GB download, "
              f"~{best['memory_gb']} GB memory" + (f"  (also: {others})" if others else ""))
    print("pull one with `ccgpt models pull NAME`, then `ccgpt models use NAME --task TASK`")
    return 0


def set_model(text: str, task: str, name: str) -> str:
    """Set `task = "name"` inside [ccgpt.models], touching no other line."""
    lines = text.splitlines(keepends=True)
    header = re.compile(r"^\s*\[\s*ccgpt\s*\.\s*models\s*\]\s*(#.*)?$")
    any_header = re.compile(r"^\s*\[")
    key = re.compile(rf"^\s*{re.escape(task)}\s*=")
    value = f'{task} = "{name}"\n'
    start = next((i for i, ln in enumerate(lines) if header.match(ln)), None)
    if start is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        return text + sep + ("\n" if text else "") + "[ccgpt.models]\n" + value
    end = next((i for i in range(start + 1, len(lines)) if any_header.match(lines[i])), len(lines))
    for i in range(start + 1, end):
        if key.match(lines[i]):
            lines[i] = value
            return "".join(lines)
    lines.insert(start + 1, value)
    return "".join(lines)


def use(args, cfg, name: str) -> int:
    import tomllib

    from ccgpt.errors import ConfigError
    from ccgpt.paths import ensure_private_dir, user_config_file

    path = Path(args.config) if args.config else (cfg.path if cfg.chosen_by != "checkout" and cfg.path else user_config_file())
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    tasks = ("shell", "code", "general") if args.task == "all" else (args.task,)
    new = text
    for task in tasks:
        new = set_model(new, task, name)
    try:
        tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not changed, the edit would not be valid TOML ({exc})") from None
    ensure_private_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(new)
    os.replace(tmp, path)
    os.chmod(path, 0o600)
    if args.json:
        from ccgpt.cli.common import print_json

        print_json({"config": str(path), "model": name, "tasks": list(tasks)})
    elif not args.quiet:
        print(f"{path}: {', '.join(tasks)} -> {name}", file=sys.stderr)
    return 0
