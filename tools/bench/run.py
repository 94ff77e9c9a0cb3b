#!/usr/bin/env python3
"""Benchmark portcullis-regex against fail2ban-regex and grep on generated logs.

    python3 tools/bench/run.py [--lines 1000000] [--cases postfix,sshd,...] [--build build]

For each case (a log kind and a filter) it generates the log once (cached under
<build>/bench-logs, keyed by the generator's source and its arguments), then runs on the
same file, one after the other:

    fail2ban-regex LOG FILTER            (once: it is slow)
    <build>/bin/portcullis-regex LOG FILTER
    <build>/bin/portcullis-filter-bench LOG FILTER   (the engine alone, no report)
    LC_ALL=C grep -cE '<one regex equivalent to the filter>' LOG

and prints for each program its wall time, lines/s and peak RSS (getrusage of the child),
our speed-up over fail2ban-regex measured in this run, and our time relative to grep's.
The `Lines:` totals of fail2ban-regex and portcullis-regex must be identical; a mismatch
is reported and makes the exit status 1. A program that is not there (not built yet, no
fail2ban installed) is skipped with a note. Timings are wall-clock on a shared machine:
use --repeat to take the best of several runs of the fast programs (portcullis-regex's
and grep's spread, half before fail2ban-regex's run and half after it).
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORPUS_CONFIG = os.path.join(os.path.dirname(REPO), "shared", "corpus", "fail2ban-1.0.2", "config")

# --- what to run ------------------------------------------------------------------------

# botsearch-common.conf's <block>, after the leading `\/`.
_BLOCK = r"/?(roundcube|(ext)?mail|horde|(v-?)?webmail|(typo3/|xampp/|admin/|)(pma|(php)?[Mm]y[Aa]dmin)|wp-(login|signup|admin)\.php|cgi-bin|mysqladmin)[^,]*"
_ADDR = r"\[[^]]+\]:[0-9]+"

# name: (log kind, log file, filter (stock name or repo path), POSIX ERE for grep -cE).
# Each ERE matches the lines the filter's prefregex + failregexes match (grep's count is
# printed next to fail2ban's matched + ignored for a sanity check; it need not be equal).
CASES = {
    "postfix": ("mail", "mail.log", "postfix",
                r"postfix(-[[:alnum:]_]+)?/[[:alnum:]_]+(/smtp[ds])?\[[0-9]+\]: "
                r"([[:alnum:]_]+: (milter-)?reject: ([A-Z]{4} from [^[]*\[[^]]*\](:[0-9]+)?: [45][50][04] "
                r"[45]\.[0-9]\.[0-9]+ ((<[^>]*>)?: )?((Helo command|(Sender|Recipient) address) rejected: )?"
                r"(Service unavailable|(Client host|Command|Data command) rejected|Relay access denied|"
                r"(Host|Domain) not found|need fully-qualified hostname|match|[Uu](ser unknown|ndeliverable address))"
                r"|from [^[]*\[[^]]*\])|(improper command pipelining|too many errors) after [^ ]+ from [^[]*\[[^]]*\])"),
    "postscreen": ("mail", "mail.log", os.path.join(REPO, "filters", "postscreen.conf"),
                   r"postscreen\[[0-9]+\]: +(DNSBL rank [0-9]+ for " + _ADDR + r"$|NOQUEUE: reject: RCPT from "
                   + _ADDR + r": ((550 5|450 4)\.7\.1 Service unavailable; client \[[0-9a-fA-F.:]+\] blocked using "
                   r"|(550 5|450 4)\.5\.1 Protocol error;|550 5\.3\.2 Service currently unavailable;)|PREGREET [0-9]+ "
                   r"after [^ ]+ from " + _ADDR + r":|COMMAND (PIPELINING|(TIME|COUNT|LENGTH) LIMIT) from " + _ADDR
                   + r" after |(NON-SMTP COMMAND|BARE NEWLINE) from " + _ADDR + r" after |(DENY|BLACK)LISTED "
                   + _ADDR + r"$)"),
    "sshd": ("sshd", "auth.log", "sshd",
             r"sshd\[[0-9]+\]: ((error|fatal): (PAM: )?)?([aA]uthentication (failure|error|failed) for .* from "
             r"|User not known to the underlying authentication module for |Failed [^ ]+ for |ROOT LOGIN REFUSED FROM "
             r"|[iI](llegal|nvalid) user .* from |User .* not allowed because |refused connect from "
             r"|Received disconnect from .*: *(3: .*: Auth fail|11:)|pam_[a-z]+\(sshd:auth\): +authentication failure;.* rhost="
             r"|maximum authentication attempts exceeded for .* from |Disconnecting( from)? (invalid|authenticating) user "
             r"[^ ]+ .*Change of username|Disconnecting: Too many authentication failures"
             r"|(Connection (closed|reset)|Disconnected) (by|from) |Accepted [[:alnum:]_]+ for [^ ]+ from |Connection from )"),
    "nginx-http-auth": ("nginx-error", "nginx-error.log", "nginx-http-auth",
                        r"\[error\] [0-9]+#[0-9]+: \*[0-9]+ user \"[^\"]*\":? (password mismatch|was not found in \"[^\"]*\"), "
                        r"client: [^,]+, server: [^ ]*, request: \"[^ ]+ [^ ]+ HTTP/[0-9]+\.[0-9]+\", host: \"[^ ]+\""
                        r"(, referrer: \"[^ ]+\")? *$"),
    "nginx-limit-req": ("nginx-error", "nginx-error.log", "nginx-limit-req",
                        r"\[[a-z]+\] [0-9]+#[0-9]+: \*[0-9]+ limiting requests, excess: [0-9.]+ by zone \"[^\"]+\", "
                        r"client: [^,]+,"),
    "nginx-botsearch": ("nginx-access", "nginx-access.log", "nginx-botsearch",
                        r"^[^ ]+ - [^ ]+ \[[^]]*\] \"(GET|POST|HEAD) /" + _BLOCK + r" [^ ]+\" 404 "
                        r"|\[error\] [0-9]+#[0-9]+: \*[0-9]+ ([^ ]+ )?\"[^ ]+\" (failed|is not found) \(2: No such file or "
                        r"directory\), client: [^,]+, server: [^ ]*, request: \"(GET|POST|HEAD) /" + _BLOCK + r" [^ ]+\", "),
}

LINES_RE = re.compile(r"^Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed", re.M)
BENCH_RE = re.compile(r"^Lines: (\d+) lines", re.M)


# --- logs -------------------------------------------------------------------------------

def generator_args(args):
    return ["--lines", str(args.lines), "--seed", str(args.seed), "--pool", str(args.pool),
            "--ipv6-share", str(args.ipv6_share), "--addresses", args.addresses,
            "--attack-share", str(args.attack_share)]


def ensure_logs(args, kinds):
    """The folder holding the logs for these generator arguments, made when missing."""
    gen = os.path.join(HERE, "make_logs.py")
    with open(gen, "rb") as f:
        key = hashlib.sha256(f.read() + " ".join(generator_args(args)).encode()).hexdigest()[:10]
    folder = os.path.join(args.cache, f"lines{args.lines}-seed{args.seed}-{key}")
    missing = [k for k in kinds if not os.path.exists(os.path.join(folder, _log_of_kind(k)))]
    if missing:
        print(f"generating {', '.join(missing)} ({args.lines} lines each) in {folder} ...", file=sys.stderr)
        subprocess.run([sys.executable, gen, "--out", folder, "--kinds", ",".join(missing)] + generator_args(args),
                       check=True)
    return folder


def _log_of_kind(kind):
    for k, log, _, _ in CASES.values():
        if k == kind:
            return log
    raise KeyError(kind)


# --- running ----------------------------------------------------------------------------

class Run:
    def __init__(self, seconds, rss_kb, output, status):
        self.seconds, self.rss_kb, self.output, self.status = seconds, rss_kb, output, status


GNU_TIME = "/usr/bin/time"
PEAK_RE = re.compile(r"^@@peak-rss-kib (\d+)$", re.M)


def run(cmd, env=None):
    """Runs `cmd`; wall time, the child's peak RSS (KiB) and its stdout + stderr.

    The peak comes from GNU time when it is installed: the rusage of a child forked from
    this Python process would count the Python image it starts as (~20 MB)."""
    if os.access(GNU_TIME, os.X_OK):
        cmd = [GNU_TIME, "-f", "@@peak-rss-kib %M"] + cmd
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    peak = PEAK_RE.search(text)
    rss = int(peak.group(1)) if peak else usage.ru_maxrss
    text = PEAK_RE.sub("", text)
    return Run(seconds, rss, text, proc.returncode)


def best_of(n, cmd, env=None):
    runs = [run(cmd, env) for _ in range(max(1, n))]
    return min(runs, key=lambda r: r.seconds)


def lines_stats(r):
    m = LINES_RE.search(r.output)
    return tuple(int(x) for x in m.groups()) if m else None


def filter_path(args, name):
    if os.path.isabs(name):
        return name
    return os.path.join(args.config, "filter.d", name + ".conf")


def fmt_rate(lines, seconds):
    return f"{lines / seconds:>12,.0f}" if seconds > 0 else f"{'-':>12}"


def tail(text, n=6):
    return "\n".join("      " + l for l in text.strip().splitlines()[-n:])


def bench_case(args, name, folder):
    kind, log_name, filt, ere = CASES[name]
    log = os.path.join(folder, log_name)
    filt = filter_path(args, filt)
    ours_bin = os.path.join(args.build, "bin", "portcullis-regex")
    engine_bin = os.path.join(args.build, "bin", "portcullis-filter-bench")
    print(f"\n== {name}: {log_name} with {os.path.relpath(filt, REPO) if filt.startswith(REPO) else filt}")
    result = {"name": name, "ok": True}
    rows = []

    def checked(label, proc):
        """The run if it printed a Lines: total (added to the table), else None."""
        stats = lines_stats(proc)
        if stats is None:
            print(f"   {label} failed (exit {proc.status}):\n{tail(proc.output)}")
            result["ok"] = False
            return None
        rows.append((label, proc, stats))
        return proc

    # Our runs (a fraction of a second each) are spread around fail2ban-regex's (tens of
    # seconds): half of the repeats before it, half after, so that the best of them does
    # not rest on one moment of a shared machine.
    have_ours = os.access(ours_bin, os.X_OK)
    grep_cmd, grep_env = ["grep", "-cE", ere, log], dict(os.environ, LC_ALL="C")
    before = (args.repeat + 1) // 2 if args.fail2ban else args.repeat
    ours_runs = [run([ours_bin, log, filt]) for _ in range(before)] if have_ours else []
    grep_runs = [run(grep_cmd, grep_env) for _ in range(before)]
    f2b = checked("fail2ban-regex", run([args.fail2ban, log, filt])) if args.fail2ban else None
    ours = None
    if have_ours:
        ours_runs += [run([ours_bin, log, filt]) for _ in range(max(1, args.repeat) - before)]
        ours = checked("portcullis-regex", min(ours_runs, key=lambda r: r.seconds))
    else:
        print(f"   (no {os.path.relpath(ours_bin, REPO)}: portcullis-regex not built, skipped)")
    engine = None
    if os.access(engine_bin, os.X_OK):
        engine = best_of(args.repeat, [engine_bin, log, filt])
        m = BENCH_RE.search(engine.output)
        if engine.status != 0 or not m:
            print(f"   portcullis-filter-bench failed (exit {engine.status}):\n{tail(engine.output)}")
            engine = None
        else:
            rows.append(("filter-bench (engine)", engine, None))
    grep_runs += [run(grep_cmd, grep_env) for _ in range(max(1, args.repeat) - before)]
    grep = min(grep_runs, key=lambda r: r.seconds)
    grep_count = grep.output.strip().splitlines()[0] if grep.output.strip() else "?"
    rows.append(("grep -cE", grep, None))

    total = None
    for _, r, stats in rows:
        if stats:
            total = stats[0]
            break
    if total is None:
        total = sum(1 for line in open(log, "rb") if line.strip() and not line.startswith(b"#"))
    print(f"   {'program':<22} {'seconds':>8} {'lines/s':>12} {'peak RSS':>10}   result")
    for label, r, stats in rows:
        if stats:
            what = f"Lines: {stats[0]} lines, {stats[1]} ignored, {stats[2]} matched, {stats[3]} missed"
        elif label == "grep -cE":
            what = f"{grep_count} lines matched"
        else:
            m = re.search(r"^Lines:.*$", r.output, re.M)
            what = m.group(0) if m else ""
        print(f"   {label:<22} {r.seconds:>8.2f} {fmt_rate(total, r.seconds)} {r.rss_kb / 1024:>8.1f}MB   {what}")
    if f2b and ours:
        same = lines_stats(f2b) == lines_stats(ours)
        if not same:
            result["ok"] = False
        print(f"   Lines: totals {'identical' if same else 'DIFFER'}")
    for label, r in (("portcullis-regex", ours), ("engine", engine)):
        if not r:
            continue
        parts = []
        if f2b:
            parts.append(f"{f2b.seconds / r.seconds:,.1f}x fail2ban-regex's lines/s")
        parts.append(f"{r.seconds / grep.seconds:.2f}x grep's time")
        print(f"   {label}: " + ", ".join(parts))
    result.update(lines=total, f2b=f2b and f2b.seconds, ours=ours and ours.seconds,
                  engine=engine and engine.seconds, grep=grep.seconds)
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--cases", default="postfix,sshd,nginx-http-auth,nginx-limit-req,nginx-botsearch,postscreen",
                    help="comma-separated: " + ", ".join(CASES))
    ap.add_argument("--build", default=os.path.join(REPO, "build"), help="build folder with bin/portcullis-regex")
    ap.add_argument("--cache", help="folder for generated logs (default <build>/bench-logs)")
    ap.add_argument("--config", default=CORPUS_CONFIG if os.path.isdir(CORPUS_CONFIG) else "/etc/fail2ban",
                    help="fail2ban config folder with the stock filter.d")
    ap.add_argument("--fail2ban", default="fail2ban-regex", help="fail2ban-regex to compare with ('' to skip)")
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs for portcullis and grep")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pool", type=int, default=100_000)
    ap.add_argument("--ipv6-share", type=float, default=0.2)
    ap.add_argument("--addresses", choices=("random", "doc"), default="random")
    ap.add_argument("--attack-share", type=float, default=0.2)
    args = ap.parse_args(argv)
    args.build = os.path.abspath(args.build)
    args.cache = os.path.abspath(args.cache or os.path.join(args.build, "bench-logs"))
    if args.fail2ban and not any(os.access(os.path.join(p, args.fail2ban), os.X_OK)
                                 for p in os.environ.get("PATH", "").split(os.pathsep)) \
            and not os.access(args.fail2ban, os.X_OK):
        print(f"({args.fail2ban} not found: skipped)", file=sys.stderr)
        args.fail2ban = ""
    names = [c for c in args.cases.split(",") if c]
    for n in names:
        if n not in CASES:
            ap.error(f"unknown case {n!r}; known: {', '.join(CASES)}")
    folder = ensure_logs(args, sorted({CASES[n][0] for n in names}))
    results = [bench_case(args, n, folder) for n in names]

    print("\nsummary (lines/s; x = our speed-up over fail2ban-regex; grep = our time / grep's)")
    print(f"   {'case':<17} {'fail2ban':>10} {'portcullis':>12} {'x':>7} {'grep':>6} {'engine':>12} {'x':>7} {'grep':>6}")
    for r in results:
        def col(sec, ref_f2b, ref_grep):
            if not sec:
                return f"{'-':>12} {'-':>7} {'-':>6}"
            x = f"{ref_f2b / sec:>6.0f}x" if ref_f2b else f"{'-':>7}"
            return f"{r['lines'] / sec:>12,.0f} {x} {sec / ref_grep:>6.2f}"
        f2b = f"{r['lines'] / r['f2b']:>10,.0f}" if r["f2b"] else f"{'-':>10}"
        print(f"   {r['name']:<17} {f2b} {col(r['ours'], r['f2b'], r['grep'])} {col(r['engine'], r['f2b'], r['grep'])}"
              + ("" if r["ok"] else "   MISMATCH/FAILED"))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
