"""Cold start of `ccgpt --help` and `ccgpt config path` (issue 2), against `python3 -c pass`.

Target: ≤ 80 ms. Median of 15 runs each, measured in this same script so the ratio is fair.
"""

import sys
import tempfile

from _timing import ccgpt_argv, median, ms, wall_times


def main() -> None:
    home = tempfile.mkdtemp()
    env = {"HOME": home, "NO_COLOR": "1"}
    base = median(wall_times([sys.executable, "-c", "pass"], env=env))
    print(f"python3 -c pass            median {ms(base)}")
    for args in (["--help"], ["config", "path"], ["--version"]):
        t = median(wall_times(ccgpt_argv() + args, env=env, cwd=home))
        label = "ccgpt " + " ".join(args)
        print(f"{label:<26} median {ms(t)}  ratio {t / base:.1f}x  (target <= 80 ms)")


if __name__ == "__main__":
    main()
