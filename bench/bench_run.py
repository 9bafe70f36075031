"""Added wall time of `ccgpt run --yes -- true` over plain `true` (issue 6). Target ≤ 150 ms.

Median of 15 runs each after 2 warm-ups, from this checkout's sources, in a temporary HOME and
working directory. The difference includes Python start-up, config, risk classification, the
audit-trail write and building the bubblewrap sandbox. Prints figures; asserts nothing.
"""

import os
import shutil
import sys
import tempfile

from _timing import ROOT, median, ms, wall_times


def main() -> None:
    home = tempfile.mkdtemp(prefix="ccgpt-bench-home-", dir="/var/tmp" if os.access("/var/tmp", os.W_OK) else None)
    work = tempfile.mkdtemp(prefix="ccgpt-bench-work-", dir=os.path.dirname(home))
    # Bytecode is cached as an installed package's would be (the warm-up runs write it).
    env = {"HOME": home, "NO_COLOR": "1", "PYTHONPATH": str(ROOT / "src"), "PYTHONDONTWRITEBYTECODE": ""}
    env.pop("CCGPT_CONFIG", None)
    plain = median(wall_times(["true"], env=env, cwd=work))
    python = median(wall_times([sys.executable, "-c", "pass"], env=env, cwd=work))
    bwrap = median(wall_times(["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                               "--unshare-all", "--die-with-parent", "--new-session", "--", "true"], env=env, cwd=work))
    run = median(wall_times([sys.executable, "-m", "ccgpt", "run", "--yes", "--", "true"], env=env, cwd=work))
    print(f"true                              median {ms(plain)}")
    print(f"python3 -c pass                   median {ms(python)}")
    print(f"bwrap (same namespaces) -- true   median {ms(bwrap)}")
    print(f"ccgpt run --yes -- true           median {ms(run)}")
    print(f"added over plain true             {ms(run - plain)}  (target <= 150 ms)")
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
