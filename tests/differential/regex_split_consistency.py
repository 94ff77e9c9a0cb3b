#!/usr/bin/env python3
"""portcullis-regex read as segments on several threads against one pass.

A log file of at least PORTCULLIS_REGEX_SPLIT_MIN_BYTES is read as segments at once
(Options::split_min_bytes); the report must be the single pass's, which
differential_fail2ban_regex compares with fail2ban-regex. Here every sample log of
fail2ban's corpus is run with the split forced (minimum 1 byte, 2 and 3 threads) and in
one pass (1 thread), in the report modes a split run serves, and the outputs compared
with the timing line masked. Exit 1 on any difference.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys

MODES = [[], ["--print-all-missed"], ["--print-all-matched", "--VD"]]
TIMING = re.compile(r"\[processed in [^\]]*\]")


def run(ours, config, log, flt, mode, threads, split):
    env = dict(os.environ, PORTCULLIS_REGEX_THREADS=str(threads))
    if split:
        env["PORTCULLIS_REGEX_SPLIT_MIN_BYTES"] = "1"
    proc = subprocess.run([ours, "-c", config, *mode, log, flt], env=env, capture_output=True, text=True,
                          errors="replace", timeout=120)
    return proc.returncode, TIMING.sub("[processed]", proc.stdout)


def check(ours, config, log, flt, mode):
    expected = run(ours, config, log, flt, mode, 1, False)
    problems = []
    for threads in (2, 3):
        got = run(ours, config, log, flt, mode, threads, True)
        if got != expected:
            problems.append(f"{os.path.basename(log)} {' '.join(mode)} with {threads} threads differs from one pass")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ours", required=True, help="portcullis-regex binary")
    ap.add_argument("--corpus", required=True, help="fail2ban 1.0.2 corpus (config/, tests/)")
    ap.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    args = ap.parse_args()
    config = os.path.join(args.corpus, "config")
    logs = os.path.join(args.corpus, "tests", "files", "logs")
    cases = []
    for name in sorted(os.listdir(logs)):
        log, flt = os.path.join(logs, name), os.path.join(config, "filter.d", name + ".conf")
        if os.path.isfile(log) and os.path.isfile(flt):
            cases += [(log, flt, mode) for mode in MODES]
    if not cases:
        print("no sample logs with filters found under", args.corpus)
        return 1
    problems = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for found in pool.map(lambda c: check(args.ours, config, *c), cases):
            problems += found
    for p in problems:
        print("DIFF", p)
    print(f"{len(cases)} cases, {len(cases) * 2} split runs compared with one pass: {len(problems)} differ")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
