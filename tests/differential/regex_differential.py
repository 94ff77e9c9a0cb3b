#!/usr/bin/env python3
"""Differential test: portcullis-regex against fail2ban-regex 1.0.2.

Runs both tools on the same command lines and compares what they print, with the
"[processed in X sec]" figure masked:
  * every sample log of <corpus>/tests/files/logs with the filter of the same name
    (config/filter.d, or tests/config/filter.d for zzz-*), in default mode, -o row,
    -o id and --print-all-matched;
  * literal regexes and log lines, -v/-vv, --VD, -d, --timezone, -L, -o templates and
    the error cases of fail2ban's own fail2banregextestcase.py.

fail2ban-regex is run from one Python process that imports fail2ban once and forks a
child per case (the installed /usr/bin/fail2ban-regex does nothing but call
exec_command_line()), which saves its 0.3 s start-up per case; --exec runs the
installed script instead. Exit 0 when all cases agree, 1 otherwise, 77 (CTest: skipped)
when fail2ban is not installed.

  regex_differential.py --ours build/bin/portcullis-regex --corpus ../shared/corpus/fail2ban-1.0.2
"""

import argparse
import concurrent.futures
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
TEST_TZ = "CET-01CEST-02,M3.5.0,M10.5.0"
MASK = re.compile(r"^\[processed in [0-9.]+ sec\]$", re.M)

STR_00 = "Dec 31 11:59:59 [sshd] error: PAM: Authentication failure for kevin from 192.0.2.0"
STR_00_NODT = "[sshd] error: PAM: Authentication failure for kevin from 192.0.2.0"
RE_00 = (r"(?:(?:Authentication failure|Failed [-/\w+]+) for(?: [iI](?:llegal|nvalid) user)?|"
         r"[Ii](?:llegal|nvalid) user|ROOT LOGIN REFUSED) .*(?: from|FROM) <HOST>")
RE_00_ID = r"Authentication failure for <F-ID>.*?</F-ID> from <ADDR>$"
RE_00_USER = r"Authentication failure for <F-USER>.*?</F-USER> from <ADDR>$"
DATE_01 = r"^(?:%a )?%b %d %H:%M:%S(?:\.%f)?(?: %ExY)?"
STR_ML_SSHD = "\n".join([
    "Nov 28 09:16:03 srv sshd[32307]: Failed publickey for git from 192.0.2.1 port 57904 ssh2: ECDSA 0e:ff:xx:xx:xx:xx:xx:xx:xx:xx:xx:...",
    "Nov 28 09:16:03 srv sshd[32307]: Failed publickey for git from 192.0.2.1 port 57904 ssh2: RSA 04:bc:xx:xx:xx:xx:xx:xx:xx:xx:xx:...",
    "Nov 28 09:16:03 srv sshd[32307]: Postponed publickey for git from 192.0.2.1 port 57904 ssh2 [preauth]",
    "Nov 28 09:16:05 srv sshd[32310]: Failed publickey for git from 192.0.2.2 port 57910 ssh2: ECDSA 1e:fe:xx:xx:xx:xx:xx:xx:xx:xx:xx:...",
    "Nov 28 09:16:05 srv sshd[32310]: Failed publickey for git from 192.0.2.2 port 57910 ssh2: RSA 14:ba:xx:xx:xx:xx:xx:xx:xx:xx:xx:...",
    "Nov 28 09:16:05 srv sshd[32310]: Disconnecting: Too many authentication failures for git [preauth]",
    "Nov 28 09:16:05 srv sshd[32310]: Connection closed by 192.0.2.2 [preauth]"])
STR_ML_SSHD_OK = "Nov 28 09:16:06 srv sshd[32307]: Accepted publickey for git from 192.0.2.1 port 57904 ssh2: DSA 36:48:xx:xx:xx:xx:xx:xx:xx:xx:xx:..."
STR_ML_SSHD_FAIL = "Nov 28 09:16:06 srv sshd[32307]: Connection closed by 192.0.2.1 [preauth]"
MULTILINE_BUF = "1490349000 FAIL\n1490349000 TEST1\n1490349001 TEST2\n1490349001 HOST 192.0.2.34"
RE_MULTILINE_BUF = r"^\s*FAIL\s*$<SKIPLINES>^\s*HOST <HOST>\s*$"
TUPLE_RE = r"^\s*<F-TUPLE_ID_1>\S+</F-TUPLE_ID_1> <F-ID><ADDR>:<F-PORT/></F-ID> <F-TUPLE_ID_2>\S+</F-TUPLE_ID_2>"
STALLED_LOG = ("May 27 00:16:33 host sshd[2364]: User root not allowed because account is locked\n"
               "May 27 00:16:33 host sshd[2364]: Received disconnect from 192.0.2.76 port 58846:11: Bye Bye [preauth]")


class Case:
    def __init__(self, name, args, compare=("stdout", "rc")):
        self.name, self.args, self.compare = name, list(args), compare
        self.ref = self.ours = None  # (rc, stdout, stderr)


def sample_cases(corpus):
    """Every sample log with its filter, in the four modes."""
    cases = []
    logs = os.path.join("tests", "files", "logs")
    for name in sorted(os.listdir(os.path.join(corpus, logs))):
        log = os.path.join(logs, name)
        flt = None
        for folder in (("tests", "config", "filter.d") if name.startswith("zzz-") else ("config", "filter.d"),):
            candidate = os.path.join(*folder, name + ".conf")
            if os.path.isfile(os.path.join(corpus, candidate)):
                flt = candidate
        if flt is None:
            continue
        for label, opts in (("default", []), ("row", ["-o", "row"]), ("id", ["-o", "id"]),
                            ("all-matched", ["--print-all-matched"])):
            cases.append(Case("sample %s %s" % (name, label), opts + [log, flt]))
    return cases


def extra_cases():
    """Literal regexes and lines, options and errors (after fail2banregextestcase.py)."""
    f01, f02 = "tests/files/testcase01.log", "tests/files/testcase02.log"
    sshd, cfg = "config/filter.d/sshd.conf", "config"
    c = [
        Case("STR_00 matched", [STR_00, r"Authentication failure for .*? from <HOST>$"]),
        Case("STR_00 missed", ["--print-all-missed", STR_00, r"XYZ from <HOST>$"]),
        Case("STR_00 ignored", ["--print-all-ignored", STR_00, r"Authentication failure for .*? from <HOST>$",
                                r"kevin from 192.0.2.0$"]),
        Case("STR_00 -d matched", ["-d", DATE_01, "--print-all-matched", "--print-no-missed", STR_00,
                                   r"Authentication failure for .*? from <HOST>$"]),
        Case("testcase01 -d", ["-d", DATE_01, "--print-all-matched", f01, RE_00]),
        Case("testcase01 --raw", ["-d", DATE_01, "--print-all-matched", "--raw", f01, RE_00]),
        Case("testcase01 --raw --usedns=no", ["-d", DATE_01, "--print-all-matched", "--raw", "--usedns=no", f01, RE_00]),
        Case("testcase01 -o row", ["-o", "row", "-d", DATE_01, f01, RE_00]),
        Case("testcase02 -d", ["-d", DATE_01, "--print-all-matched", f02, RE_00]),
        Case("testcase02 --timezone -v --VD", ["-d", DATE_01, "--timezone", "UTC+0200", "--verbose", "--verbose-date",
                                               "--print-no-missed", f02, RE_00]),
        Case("testcase02 --TZ -o row", ["--TZ=UTC+0200", "-o", "row", f02, RE_00]),
        Case("sshd -v all", ["-v", "--VD", "--print-all-matched", "--print-all-ignored", "-c", cfg,
                             "tests/files/logs/sshd", sshd]),
        Case("sshd -vv logtype=short", ["-vv", "-c", cfg, "tests/files/logs/sshd", "sshd[logtype=short]"]),
        Case("sshd.conf[mode=normal]", ["--print-all-matched", "-c", cfg, "tests/files/logs/sshd", "sshd.conf[mode=normal]"]),
        Case("sshd mode=aggressive -o row", ["-o", "row", "-c", cfg, "tests/files/logs/sshd", "sshd[mode=aggressive]"]),
        Case("zzz-sshd-obsolete-multiline", ["--print-all-matched", "--print-all-missed", "-c", "tests/config/filter.d",
                                             "tests/files/zzz-sshd-obsolete-multiline.log", "zzz-sshd-obsolete-multiline"]),
        Case("zzz-generic-example mode=test", ["tests/files/logs/zzz-generic-example",
                                               "tests/config/filter.d/zzz-generic-example.conf[mode=test]"]),
        Case("multiline buffer", ["--usedns", "no", "-d", "^Epoch", "--print-all-matched", "--maxlines", "5",
                                  MULTILINE_BUF, RE_MULTILINE_BUF]),
        Case("multiline buffer 20 pre-lines", ["--usedns", "no", "-d", "^Epoch", "--print-all-matched", "-L", "5",
                                               "1490349000 TEST-NL\n" * 20 + MULTILINE_BUF, RE_MULTILINE_BUF]),
        Case("newline in content -L 2", ["--usedns", "no", "-d", "^Epoch", "--print-all-matched", "-L", "2",
                                         "1490349000 FAIL: failure\nhost: 192.0.2.35", r"^\s*FAIL:\s*.*\nhost:\s+<HOST>$"]),
        Case("LEPOCH", ["-r", "-d", r"^\[{LEPOCH}\]\s+", "--maxlines", "5",
                        "[1516469849] 192.0.2.1 FAIL: failure\n[1516469849551] 192.0.2.2 FAIL: failure\n"
                        "[1516469849551000] 192.0.2.3 FAIL: failure\n[1516469849551.000] 192.0.2.4 FAIL: failure",
                        r"^<HOST> FAIL\b"]),
        Case("subnet -vv", ["-vv", "-d", r"^\[{LEPOCH}\]\s+", "--maxlines", "5",
                            "[1516469849] 192.0.2.1 FAIL: failure\n[1516469849] 192.0.2.1/24 FAIL: failure\n"
                            "[1516469849] 2001:DB8:FF:FF::1 FAIL: failure\n[1516469849] 2001:DB8:FF:FF::1/60 FAIL: failure\n",
                            r"^<SUBNET> FAIL\b"]),
        Case("-o id", ["-o", "id", STR_00, RE_00_ID]),
        Case("-o id tuple", ["-o", "id", "-d", "{^LN-BEG}EPOCH", "1591983743.667 192.0.2.1 192.0.2.2",
                             r"^\s*<F-ID/> <F-TUPLE_ID>\S+</F-TUPLE_ID>"]),
        Case("-o id tuple 3", ["-o", "id", "-d", "{^LN-BEG}EPOCH", "1591983743.667 left 192.0.2.3 right",
                               r"^\s*<F-TUPLE_ID_1>\S+</F-TUPLE_ID_1> <F-ID/> <F-TUPLE_ID_2>\S+</F-TUPLE_ID_2>"]),
        Case("-o id addr:port", ["-o", "id", "-d", "{^LN-BEG}EPOCH", "1591983743.667 left [192.0.2.4]:12345 right", TUPLE_RE]),
        Case("-o ip addr:port", ["-o", "ip", "-d", "{^LN-BEG}EPOCH", "1591983743.667 left [192.0.2.4]:12345 right", TUPLE_RE]),
        Case("-o row addr:port", ["-o", "row", "-d", "{^LN-BEG}EPOCH", "1591983743.667 left [192.0.2.4]:12345 right", TUPLE_RE]),
        Case("-o template fid/ip", ["-o", "ID:<fid> | IP:<ip>", "-d", "{^LN-BEG}EPOCH",
                                    "1591983743.667 left [192.0.2.4]:12345 right", TUPLE_RE]),
        Case("-o row id", ["-o", "row", STR_00, RE_00_ID]),
        Case("-o row user", ["-o", "row", STR_00, RE_00_USER]),
        Case("-o msg", ["-o", "msg", STR_00, RE_00_USER]),
        Case("-o user", ["-o", "user", STR_00, RE_00_USER]),
        Case("-o missing word", ["-o", "dns", STR_00, RE_00_USER]),
        Case("-o template", ["-o", "<ip>, <F-USER>, <family>, <ip-rev>, <time>, <failures>, <unknown>, <F-NONE>.",
                             STR_00, RE_00_USER]),
        Case("-o stalled IP", ["-c", cfg, "-d", DATE_01, "-o", "IP:<ip>", STALLED_LOG, "sshd"]),
        Case("-o stalled ID/IP", ["-c", cfg, "-d", DATE_01, "-o", 'ID:"<fid>" | IP:<ip> | U:<F-USER>', STALLED_LOG,
                                  'sshd[failregex="^<F-ID>User <F-USER>\\S+</F-USER></F-ID> not allowed\n'
                                  '^Received disconnect from <ADDR>"]']),
        Case("-o no date", ["-d", "{^LN-BEG}EPOCH", "-o", "Found-ID:<F-ID>", STR_00_NODT, RE_00_ID]),
        Case("-o {NONE}", ["-d", "{NONE}", "-o", "Found-ID:<F-ID>", STR_00_NODT, RE_00_ID]),
        Case("-o incomplete dates", ["-o", "Found-ADDR:<ip>",
                                     '192.0.2.1 - - [02/May/2021:18:40:55 +0100] "GET / HTTP/1.1" 302 328 "-" "Mozilla/5.0" "-"\n'
                                     "192.0.2.2 - - [02/May/2021:18:40:55 +0100\n192.0.2.3 - - [02/May/2021:18:40:55",
                                     "^<ADDR>"]),
        Case("-o msg wrap short", ["-o", "<ip>, <F-USER>, <msg>", "-c", cfg, "--usedns", "no",
                                   STR_ML_SSHD + "\n" + STR_ML_SSHD_OK, "sshd[logtype=short, publickey=invalid]"]),
        Case("-o msg wrap aggressive ok", ["-o", "<ip>, <F-USER>, <msg>", "-c", cfg, "--usedns", "no",
                                           STR_ML_SSHD + "\n" + STR_ML_SSHD_OK, "sshd[logtype=short, mode=aggressive]"]),
        Case("-o msg wrap aggressive fail", ["-o", "<ip>, <F-USER>, <msg>", "-c", cfg, "--usedns", "no",
                                             STR_ML_SSHD + "\n" + STR_ML_SSHD_FAIL, "sshd[logtype=short, mode=aggressive]"]),
        Case("no pending after gained", ["-o", "failure from == <ip> ==", "-c", cfg, "-d", "{NONE}",
                                         "svc[1] connect started 192.0.2.3\nsvc[1] connect finished 192.0.2.3\n"
                                         "svc[2] connect started 192.0.2.4\nsvc[2] connect authorized 192.0.2.4\n"
                                         "svc[2] connect finished 192.0.2.4\n",
                                         'common[prefregex="^svc\\[<F-MLFID>\\d+</F-MLFID>\\] connect <F-CONTENT>.+</F-CONTENT>$", '
                                         'failregex="^started\n^<F-NOFAIL><F-MLFFORGET>finished</F-MLFFORGET></F-NOFAIL> <ADDR>\n'
                                         '^<F-MLFGAINED>authorized</F-MLFGAINED> <ADDR>", maxlines=1]']),
        Case("wrong char", ["--datepattern", DATE_01, "tests/files/testcase-wrong-char.log", sshd]),
        Case("multi line literal -v", ["-v", STR_ML_SSHD, "sshd[logtype=short]", "-c", cfg]),
        Case("--no-check-all", ["--no-check-all", "-c", cfg, "tests/files/logs/sshd", "sshd"]),
        Case("-L 3 too many", ["-L", "3", "-c", cfg, "tests/files/logs/sshd", "sshd"]),
        Case("--print-no-missed/ignored", ["--print-no-missed", "--print-no-ignored", "-c", cfg, "tests/files/logs/sshd", "sshd"]),
        Case("print-all-missed combined flags", ["-vr", "--print-all-mi", "-c", cfg, "tests/files/logs/postfix",
                                                 "postfix[mode=auth]"]),
        Case("debuggex multiline", ["--usedns", "no", "-d", "^Epoch", "--debuggex", "--print-all-matched", "--maxlines", "5",
                                    MULTILINE_BUF, RE_MULTILINE_BUF]),
        Case("debuggex lists", ["-D", "--print-all-missed", "--print-all-ignored", "a 1.2.3.4 x\nb 1.2.3.5 y\nc 1.2.3.6 z",
                                "^b <HOST>", "^c \\S+ z"]),
        Case("foreign filter file", ["tests/files/logs/zzz-generic-example", "tests/config/filter.d/simple.conf"]),
        Case("literal line not a file", ["no/such/file 192.0.2.1", "<HOST>"]),
        # errors
        Case("error bad regex", ["test", r".** from <HOST>$"]),
        Case("error bad conditional", ["test", r"^(?:(?P<type>A)|B)? (?(typo)...) from <ADDR>"]),
        Case("error bad ignoreregex", ["test", r"^test from <HOST>$", r".**"]),
        Case("error no failure-id", [STR_00, "Authentication failure"]),
        Case("error filter options", ["test", "flt[a='x,y,z',b=z,y,x]"]),
        Case("error datepattern", ["-d", "%:%.%-", "test", "<HOST>"]),
        Case("error log as filter", ["tests/files/logs/zzz-generic-example", "tests/files/logs/zzz-generic-example"],
             compare=("rc",)),
        Case("error missing args", ["onlyone"], compare=("stderr", "rc")),
        Case("error exclusive print", ["--print-no-missed", "--print-all-missed", "a", "b"], compare=("stderr", "rc")),
        Case("error ambiguous option", ["--print-all", "a", "b"], compare=("stderr-last", "rc")),
        Case("error ambiguous --v", ["--v", "a", "b"], compare=("stderr-last", "rc")),
        Case("error unknown option", ["--nope", "a", "b"], compare=("stderr-last", "rc")),
        Case("error option value", ["-L", "x", "a", "b"], compare=("stderr-last", "rc")),
        Case("error flag with value", ["--raw=1", "a", "b"], compare=("stderr-last", "rc")),
        Case("-V", ["-V"]),
        Case("--version", ["--version"]),
    ]
    return c


def shebang_interpreter(script):
    """The interpreter named on the #! line of `script`, or None."""
    try:
        with open(script, "rb") as f:
            first = f.readline().decode("utf-8", "replace").strip()
    except (OSError, TypeError):
        return None
    if not first.startswith("#!"):
        return None
    words = first[2:].split()
    if words and os.path.basename(words[0]) == "env" and len(words) > 1:
        return shutil.which(words[1])
    return words[0] if words else None


NOW_RANGE = (0, 0)
FLOAT = re.compile(r"(?<![\w.])\d{10}\.\d+(?![\w.])")
USERS_SET = re.compile(r"'users': \{([^{}]*)\}")


def normalise(text):
    """Masks what cannot agree: the processing time, times taken from the clock for
    lines without a date, and the order of Python sets (arbitrary, hash-seeded)."""
    text = MASK.sub("[processed in ? sec]", text)
    text = FLOAT.sub(lambda m: "<now>" if NOW_RANGE[0] <= float(m.group()) <= NOW_RANGE[1] else m.group(), text)
    return USERS_SET.sub(lambda m: "'users': {%s}" % ", ".join(sorted(m.group(1).split(", "))), text)


def run_reference_forked(cases, corpus, jobs, tmp):
    """Runs fail2ban-regex's exec_command_line() in forked children of this process."""
    from fail2ban.client import fail2banregex  # noqa: imported once, inherited by every child
    running = {}
    pending = list(enumerate(cases))

    def start(index, case):
        out, err = (os.path.join(tmp, "ref%d.%s" % (index, s)) for s in ("out", "err"))
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # child
            code = 0
            try:
                os.chdir(corpus)
                fo, fe = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                os.dup2(fo, 1)
                os.dup2(fe, 2)
                sys.argv = ["fail2ban-regex"] + case.args
                try:
                    fail2banregex.exec_command_line()
                except SystemExit as e:
                    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
                except BaseException:
                    import traceback
                    traceback.print_exc()
                    code = 1
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        running[pid] = (index, case, out, err)

    while pending or running:
        while pending and len(running) < jobs:
            start(*pending.pop(0))
        pid, status = os.wait()
        index, case, out, err = running.pop(pid)
        with open(out, encoding="utf-8", errors="replace") as f1, open(err, encoding="utf-8", errors="replace") as f2:
            case.ref = (os.waitstatus_to_exitcode(status), f1.read(), f2.read())


def run_process(argv, corpus):
    p = subprocess.run(argv, cwd=corpus, capture_output=True)
    return (p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ours", required=True, help="portcullis-regex binary")
    ap.add_argument("--corpus", required=True, help="fail2ban 1.0.2 corpus (config/, tests/)")
    ap.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    ap.add_argument("--exec", action="store_true", help="run the installed fail2ban-regex script (slow)")
    ap.add_argument("--filter", default="", help="only cases whose name contains this text")
    ap.add_argument("-v", "--verbose", action="store_true", help="show diffs of every failing case")
    opts = ap.parse_args()

    ours = os.path.abspath(opts.ours)
    corpus = os.path.abspath(opts.corpus)
    os.environ["TZ"] = TEST_TZ
    if hasattr(__import__("time"), "tzset"):
        __import__("time").tzset()
    reference = shutil.which("fail2ban-regex")
    try:
        import fail2ban.client.fail2banregex  # noqa
        have_module = True
    except ImportError:
        have_module = False
        # fail2ban lives in the interpreter its script names (#!/usr/bin/python3), which
        # need not be the python3 first on PATH: run this script with that one.
        interpreter = shebang_interpreter(reference)
        if interpreter and os.path.realpath(interpreter) != os.path.realpath(sys.executable) \
                and not os.environ.get("PORTCULLIS_DIFF_REEXEC"):
            os.environ["PORTCULLIS_DIFF_REEXEC"] = "1"
            os.execv(interpreter, [interpreter, os.path.abspath(__file__)] + sys.argv[1:])
    if not reference or not have_module:
        print("SKIPPED: fail2ban-regex (Debian package fail2ban) is not installed here, so there is nothing "
              "to compare portcullis-regex with. CI installs it; install it to run this test.")
        return SKIP
    if not os.access(ours, os.X_OK):
        print("FAILED: %s is not an executable" % ours)
        return 1

    cases = [c for c in sample_cases(corpus) + extra_cases() if opts.filter in c.name]
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        if opts.exec:
            with concurrent.futures.ThreadPoolExecutor(opts.jobs) as pool:
                for case, res in zip(cases, pool.map(lambda c: run_process([reference] + c.args, corpus), cases)):
                    case.ref = res
        else:
            run_reference_forked(cases, corpus, opts.jobs, tmp)
    reference_done = time.time()
    with concurrent.futures.ThreadPoolExecutor(opts.jobs) as pool:
        for case, res in zip(cases, pool.map(lambda c: run_process([ours] + c.args, corpus), cases)):
            case.ours = res
    finished = time.time()
    # Times taken from the clock (lines without a date) differ between the runs.
    global NOW_RANGE
    NOW_RANGE = (started - 5, finished + 5)
    print("fail2ban-regex: %.1f s, portcullis-regex: %.1f s (%d cases, %d jobs)" % (
        reference_done - started, finished - reference_done, len(cases), opts.jobs))

    failed = []
    for case in cases:
        problems = []
        if "rc" in case.compare and case.ref[0] != case.ours[0]:
            problems.append("exit code %d (fail2ban-regex) != %d (portcullis-regex)" % (case.ref[0], case.ours[0]))
        for i, stream in ((1, "stdout"), (2, "stderr"), (2, "stderr-last")):
            if stream not in case.compare:
                continue
            a, b = normalise(case.ref[i]), normalise(case.ours[i])
            if stream == "stderr-last":  # the usage line before it names the program as called
                a, b = a.strip().split("\n")[-1], b.strip().split("\n")[-1]
            if a != b:
                diff = difflib.unified_diff(a.splitlines(), b.splitlines(), "fail2ban-regex " + stream,
                                            "portcullis-regex " + stream, lineterm="", n=1)
                problems.append("\n".join(list(diff)[:40]))
        if problems:
            failed.append(case)
            print("FAIL  %s\n      args: %r" % (case.name, case.args))
            if opts.verbose or len(failed) <= 10:
                for p in problems:
                    print("      " + p.replace("\n", "\n      "))
    print("%d cases, %d identical, %d different" % (len(cases), len(cases) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
