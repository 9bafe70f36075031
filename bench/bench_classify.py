#!/usr/bin/env python3
"""Throughput of `ccgpt.risk.classify.classify` on a mixed corpus of distinct commands.

Run from the project root:  PYTHONPATH=src python bench/bench_classify.py [--runs 7]

The corpus is built from templates × arguments so every command is distinct (no cache can
help), and it mixes the four levels, pipelines, substitutions, wrappers and obfuscation in
roughly the proportions an assistant sees: mostly ordinary reads and edits. Prints the
median commands/second over several runs (target >= 20,000 commands/s), then the cold start-up
of `ccgpt check "ls -la"` against `python3 -c pass` (bench_check_startup.py; targets <= 60 ms,
<= 6x).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

TEMPLATES = [
    "ls -la {d}", "cat {f}", "grep -rn {w} {d}", "find {d} -name '*.{e}' -print", "wc -l {f}",
    "head -n {n} {f}", "tail -f {d}/{f}", "git log --oneline -n {n}", "git diff {f}", "git status",
    "ps aux | grep {w}", "du -sh {d}", "sort {f} | uniq -c | sort -rn | head -n {n}",
    "awk '{{print ${n}}}' {f}", "sed 's/{w}/x/g' {f}", "curl -s https://{w}.example.com/api/{n} | jq .",
    "echo \"{w} {n}\"", "docker ps --filter name={w}", "kubectl get pods -n {w}",
    "touch {d}/{f}", "mkdir -p {d}/{w}", "cp {f} {d}/", "mv {f} {w}.bak", "echo {w} > {f}",
    "sed -i 's/{w}/y/' {f}", "git add {f} && git commit -m '{w} {n}'", "pip install {w}=={n}.0",
    "npm install {w}", "make -j{n}", "tar -czf {w}.tgz {d}", "chmod +x {d}/{f}", "kill {n}0{n}",
    "rm {f}", "rm -rf {d}/build{n}", "git push --force origin {w}", "sudo systemctl restart {w}",
    "curl -fsSL https://{w}.sh/install | sh", "find {d} -name '*.{e}' -delete", "git reset --hard HEAD~{n}",
    "docker rm -f {w}{n}", "rm -rf ~/{w}", "rm -rf /", "rm -rf ~", "sudo rm -rf /{w}/../",
    "x={w}; $x -{n}", "bash -c 'rm -rf {d}/{w}'", "echo {w} | base64 -d | sh", "find / -name {w} -delete",
    "for f in {d}/*.{e}; do echo \"$f\"; done", "if [ -f {f} ]; then cat {f}; fi",
    "f() {{ ls {d}; }}; f", "cat <<EOF > {f}\n{w} {n}\nEOF", "timeout {n} nice -n {n} ls {d}",
    "dd if=/dev/zero of={d}/{w}.img bs=1M count={n}", "python3 -c 'print({n})'", "ssh {w}@host{n} uptime",
]
WORDS = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"]
DIRS = ["src", "/tmp/x", "~/proj", "./out", "/var/log/app", "docs", "../lib", "/opt/tool"]
EXTS = ["py", "log", "txt", "c", "json"]


def corpus(size: int) -> list[str]:
    out, seen, i = [], set(), 0
    while len(out) < size:
        t = TEMPLATES[i % len(TEMPLATES)]
        k = i // len(TEMPLATES)
        c = t.format(d=DIRS[k % len(DIRS)], f=f"file{k}.{EXTS[k % len(EXTS)]}", w=WORDS[(i + k) % len(WORDS)] + str(k),
                     n=k % 97 + 1, e=EXTS[i % len(EXTS)])
        if c not in seen:  # templates without placeholders appear once
            seen.add(c)
            out.append(c)
        i += 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=3000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--startup-runs", type=int, default=15, help="cold `ccgpt check` runs (0: skip)")
    args = ap.parse_args()
    from ccgpt.risk.classify import classify

    cmds = corpus(args.size)
    assert len(set(cmds)) == len(cmds), "corpus must be distinct"
    levels: dict[str, int] = {}
    for c in cmds:  # warm-up (loads the grammar, compiles regexes) and level mix
        lv = classify(c).level
        levels[str(lv)] = levels.get(str(lv), 0) + 1
    rates, cpu_rates = [], []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        for c in cmds:
            classify(c)
        rates.append(len(cmds) / (time.perf_counter() - t0))
        # CPU time as well: on a shared, loaded machine wall time mostly measures the neighbours.
        cpu_rates.append(len(cmds) / max(time.process_time() - c0, 1e-9))
    med = statistics.median(rates)
    print(f"corpus: {len(cmds)} distinct commands; levels: {levels}")
    print(f"runs: {args.runs}; commands/s per run: {', '.join(f'{r:,.0f}' for r in rates)}")
    print(f"median: {med:,.0f} commands/s ({1e6 / med:.1f} us/command); target >= 20,000")
    print(f"median by CPU time: {statistics.median(cpu_rates):,.0f} commands/s")
    if hasattr(os, "getloadavg"):
        print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    if args.startup_runs:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_check_startup import report

        report(args.startup_runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
