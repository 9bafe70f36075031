"""Redaction: ccgpt's hand-written patterns against detect-secrets' plugins, by numbers.

On `bench/data/redaction_corpus.json` (every format issue 14 names, plus ordinary lines that must
not change): how many secrets each finds, how many ordinary lines each would change, the cost of
importing each in a fresh interpreter (median of 7, minus a bare interpreter) and per line.
detect-secrets is optional here (Apache-2.0; `pip install detect-secrets`, or point
DETECT_SECRETS_PATH at a `pip install --target` directory).

    PYTHONPATH=src python bench/bench_redaction.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "data" / "redaction_corpus.json"
DS_IMPORT = "from detect_secrets.core.scan import scan_line; from detect_secrets.settings import default_settings"


def corpus() -> list[tuple[str, str, str, str]]:
    return [(r["kind"], r["expect"], r["text"], r["secret"]) for r in json.loads(CORPUS.read_text(encoding="utf-8"))["rows"]]


def import_ms(code: str, env: dict) -> float:
    def run(c: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", c], check=True, env=env, capture_output=True)
        return (time.perf_counter() - t0) * 1000

    bare = statistics.median(run("pass") for _ in range(7))
    return statistics.median(run(code) for _ in range(7)) - bare


def ours(rows):
    from ccgpt.security.redact import redact

    found = sum(1 for _, e, t, s in rows if e == "secret" and s not in redact(t))
    changed = [(k, t) for k, e, t, _ in rows if e == "keep" and redact(t) != t]
    t0 = time.perf_counter()
    for _ in range(20):
        for _, _, t, _ in rows:
            redact(t)
    per_line = (time.perf_counter() - t0) / (20 * len(rows)) * 1e6
    return found, changed, per_line


def with_detect_secrets(rows, entropy: bool):
    """detect-secrets' plugins, all of them or without the two high-entropy ones."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import transient_settings

    plugins = [{"name": cls.__name__} for cls in get_mapping_from_secret_type_to_class().values()
               if entropy or "HighEntropy" not in cls.__name__]

    def hits(text: str) -> list[str]:
        return [s.secret_value or "" for line in text.splitlines() for s in scan_line(line)]

    with transient_settings({"plugins_used": plugins}):
        # a secret counts as found when a reported value covers it (replacing the value removes it)
        found = sum(1 for _, e, t, s in rows if e == "secret" and any(s in v for v in hits(t)))
        flagged = sum(1 for _, e, t, s in rows if e == "secret" and hits(t))
        changed = [(k, t) for k, e, t, _ in rows if e == "keep" and hits(t)]
        t0 = time.perf_counter()
        for _, _, t, _ in rows:
            hits(t)
        per_line = (time.perf_counter() - t0) / len(rows) * 1e6
    return found, flagged, changed, per_line


def main() -> int:
    rows = corpus()
    secrets = sum(1 for r in rows if r[1] == "secret")
    keeps = len(rows) - secrets
    env = {**os.environ}
    ds_path = os.environ.get("DETECT_SECRETS_PATH")
    if ds_path:
        sys.path.insert(0, ds_path)
        env["PYTHONPATH"] = os.pathsep.join([ds_path, env.get("PYTHONPATH", "")])
    print(f"corpus: {secrets} secrets in {len(set(r[0] for r in rows if r[1] == 'secret'))} formats, "
          f"{keeps} ordinary lines")
    found, changed, per_line = ours(rows)
    print(f"ccgpt patterns:  {found}/{secrets} secrets removed, {len(changed)}/{keeps} ordinary lines changed, "
          f"import {import_ms('import ccgpt.security.redact', env):.1f} ms, {per_line:.1f} us/line")
    for k, t in changed:
        print(f"    changed ({k}): {t}")
    try:
        import detect_secrets  # noqa: F401
    except ImportError:
        print("detect-secrets:  not installed (pip install detect-secrets, or DETECT_SECRETS_PATH)")
        return 0
    cost = import_ms(DS_IMPORT, env)
    for entropy in (True, False):
        found, flagged, changed, per_line = with_detect_secrets(rows, entropy)
        label = "all plugins" if entropy else "no entropy plugins"
        print(f"detect-secrets ({label}): {found}/{secrets} secrets covered by a reported value "
              f"({flagged} lines flagged), {len(changed)}/{keeps} ordinary lines flagged, "
              f"import {cost:.1f} ms, {per_line:.1f} us/line")
        for k, t in changed[:8]:
            print(f"    flagged ({k}): {t[:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
