#!/usr/bin/env python3
"""End to end: the real portcullis-server and portcullis-client, real log files, a real
SQLite database, real action processes.

Each test builds a config tree in a temporary folder from fail2ban's stock files
(<corpus>/config: jail.conf, filter.d, action.d as shipped) plus a fail2ban.local and
a jail.local of its own, starts the server in the foreground, appends lines to a log
file and watches the bans through the client and through the effect of an action that
appends to a file.

  PORTCULLIS_BIN=build/bin PORTCULLIS_CORPUS=../shared/corpus/fail2ban-1.0.2 \
      python3 tests/e2e/server_e2e_test.py -v
"""

import json
import re
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

BIN = os.environ.get("PORTCULLIS_BIN", "build/bin")
CORPUS = os.environ.get("PORTCULLIS_CORPUS", "../shared/corpus/fail2ban-1.0.2")
SERVER = os.path.join(BIN, "portcullis-server")
CLIENT = os.path.join(BIN, "portcullis-client")

# Addresses from the documentation ranges that are not this machine's own.
def attacker(i):
    return "203.0.%d.%d" % (113 + i // 250 % 3, 1 + i % 250) if i < 750 else "198.51.%d.%d" % (i // 250 % 256, 1 + i % 250)


def sshd_line(ip, when=None):
    # sshd's pid is the filter's multi-line id (<F-MLFID>): one per connection, so one
    # per address here
    stamp = time.strftime("%b %d %H:%M:%S", time.localtime(when or time.time()))
    pid = 1000 + zlib.crc32(ip.encode()) % 60000
    return "%s host sshd[%d]: Failed password for root from %s port 2222 ssh2\n" % (stamp, pid, ip)


# An action that records each ban/unban with the ip, as the stock actions do with
# firewall rules; start and stop leave a mark too.
BANFILE_ACTION = """[Definition]
actionstart = echo start >> %(dir)s/actions
actionstop = echo stop >> %(dir)s/actions
actionban = echo "ban <ip> <bantime> <failures>" >> %(dir)s/actions
actionunban = echo "unban <ip>" >> %(dir)s/actions
"""


def wait_until(predicate, timeout=10.0, step=0.02):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


class Tree:
    """A config tree, its log and action files, and a server process over them."""

    def __init__(self, jail_local, extra_actions=None, fail2ban_local=""):
        self.dir = tempfile.mkdtemp(prefix="portcullis-e2e-")
        self.conf = os.path.join(self.dir, "conf")
        shutil.copytree(os.path.join(CORPUS, "config"), self.conf)
        self.log = os.path.join(self.dir, "auth.log")
        self.actions = os.path.join(self.dir, "actions")
        self.server_log = os.path.join(self.dir, "server.log")
        self.socket = os.path.join(self.dir, "sock")
        self.db = os.path.join(self.dir, "db.sqlite3")
        open(self.log, "w").close()
        with open(os.path.join(self.conf, "fail2ban.local"), "w") as f:
            f.write("[Definition]\nlogtarget = %s\nsocket = %s\npidfile = %s/pid\ndbfile = %s\n%s"
                    % (self.server_log, self.socket, self.dir, self.db, fail2ban_local))
        with open(os.path.join(self.conf, "action.d", "banfile.conf"), "w") as f:
            f.write(BANFILE_ACTION % {"dir": self.dir})
        for name, text in (extra_actions or {}).items():
            with open(os.path.join(self.conf, "action.d", name + ".conf"), "w") as f:
                f.write(text % {"dir": self.dir})
        with open(os.path.join(self.conf, "jail.local"), "w") as f:
            f.write(jail_local % {"dir": self.dir, "log": self.log})
        self.proc = None

    def start(self, *extra):
        self.proc = subprocess.Popen([SERVER, "-f", "-x", "-c", self.conf] + list(extra),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ok = wait_until(lambda: self.client("ping").returncode == 0 or self.proc.poll() is not None)
        if self.proc.poll() is not None:
            out, err = self.proc.communicate()
            raise AssertionError("server exited %s: %s %s" % (self.proc.returncode, out, err))
        assert ok, "server did not answer ping"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.client("stop")
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stdout.close()
            self.proc.stderr.close()
        self.proc = None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.proc = None

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self, *words, json_out=False):
        args = [CLIENT, "-s", self.socket] + (["--json"] if json_out else []) + list(words)
        return subprocess.run(args, capture_output=True, text=True, timeout=30)

    def banned(self, jail):
        r = self.client("get", jail, "banned", json_out=True)
        if r.returncode != 0:
            return None
        value = json.loads(r.stdout)
        return value if isinstance(value, list) else value.get("banned", value)

    def append(self, text, path=None):
        with open(path or self.log, "a") as f:
            f.write(text)

    def action_lines(self):
        try:
            with open(self.actions) as f:
                return [l.rstrip("\n") for l in f]
        except FileNotFoundError:
            return []

    def bans_in_actions(self):
        return [l.split()[1] for l in self.action_lines() if l.startswith("ban ")]

    def server_log_text(self):
        try:
            with open(self.server_log) as f:
                return f.read()
        except FileNotFoundError:
            return ""


SSHD_JAIL = """[sshd]
enabled = true
backend = %(backend)s
logpath = %%(log)s
maxretry = %(maxretry)d
findtime = 10m
bantime = %(bantime)s
action = banfile
"""


def sshd_jail(maxretry=1, bantime="1h", backend="auto"):
    return SSHD_JAIL % {"maxretry": maxretry, "bantime": bantime, "backend": backend}


class TreeTest(unittest.TestCase):
    """A test that builds config trees; each is stopped and removed afterwards."""

    def make(self, *args, **kwargs):
        tree = Tree(*args, **kwargs)
        self.addCleanup(tree.cleanup)
        self.addCleanup(tree.stop)
        return tree


class ServerTest(TreeTest):

    def test_bans_through_client_and_action(self):
        t = self.make(sshd_jail(maxretry=3))
        t.start()
        ip = attacker(1)
        for _ in range(2):
            t.append(sshd_line(ip))
        time.sleep(0.3)
        self.assertEqual(t.bans_in_actions(), [])
        t.append(sshd_line(ip))
        self.assertTrue(wait_until(lambda: t.bans_in_actions() == [ip]), t.action_lines())
        status = t.client("status", "sshd").stdout
        self.assertIn("Currently banned:\t1", status)
        self.assertIn("Total failed:\t3", status)
        self.assertIn("Banned IP list:\t" + ip, status)
        self.assertEqual(t.client("status").stdout,
                         "Status\n|- Number of jail:\t1\n`- Jail list:\tsshd\n")
        self.assertIn("ban %s 3600 3" % ip, t.action_lines())
        # our own log in fail2ban's format
        line = (r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} fail2ban\.actions        \[\d+\]: NOTICE  \[sshd\] Ban "
                + ip.replace(".", r"\."))
        self.assertTrue(wait_until(lambda: re.search(line, t.server_log_text())), t.server_log_text())
        # unban by command: the action runs, the database forgets it
        self.assertEqual(t.client("set", "sshd", "unbanip", ip).stdout.strip(), "1")
        self.assertTrue(wait_until(lambda: ("unban " + ip) in t.action_lines()))
        t.stop()
        self.assertEqual(t.action_lines()[-1], "stop")
        with sqlite3.connect(t.db) as db:
            self.assertEqual(db.execute("select count(*) from bips").fetchone()[0], 0)

    def test_ban_by_command_and_get(self):
        t = self.make(sshd_jail())
        t.start()
        self.assertEqual(t.client("set", "sshd", "banip", "198.51.100.7", "198.51.100.8").stdout.strip(), "2")
        self.assertTrue(wait_until(lambda: len(t.bans_in_actions()) == 2))
        self.assertEqual(t.client("get", "sshd", "bantime").stdout.strip(), "3600")
        self.assertEqual(t.client("get", "sshd", "maxretry").stdout.strip(), "1")
        self.assertIn(t.log, t.client("get", "sshd", "logpath").stdout)
        out = t.client("banned", "198.51.100.7").stdout
        self.assertIn("sshd", out)

    def test_rotation_loses_no_failure(self):
        for backend in ("auto", "polling"):
            with self.subTest(backend=backend):
                t = self.make(sshd_jail(backend=backend))
                t.start()
                expected = []
                for i in range(300):
                    ip = attacker(i)
                    expected.append(ip)
                    t.append(sshd_line(ip))
                    if i == 100:  # logrotate's default: rename, new file
                        os.rename(t.log, t.log + ".1")
                        open(t.log, "w").close()
                    if i == 200:  # copytruncate (lines written but not yet read when the
                        # copy is made are in the copy only: logrotate's own caveat)
                        wait_until(lambda: len(t.bans_in_actions()) == i + 1)
                        shutil.copy(t.log, t.log + ".2")
                        with open(t.log, "r+") as f:
                            f.truncate(0)
                    if i % 50 == 0:
                        time.sleep(0.05)
                done = wait_until(lambda: len(set(t.bans_in_actions())) == 300, timeout=20)
                missing = sorted(set(expected) - set(t.bans_in_actions()))
                self.assertTrue(done, "missing after rotation: %s" % missing[:20])
                self.assertEqual(len(t.bans_in_actions()), 300, "each ban once")
                t.stop()

    def test_kill9_then_restart_restores_every_ban_once(self):
        t = self.make(sshd_jail())
        t.start()
        n = 1500
        for i in range(n):
            t.append(sshd_line(attacker(i)))
            if i == 700:
                wait_until(lambda: len(t.bans_in_actions()) >= 300, timeout=20)
                t.kill9()
        first_run = set(t.bans_in_actions())
        self.assertGreater(len(first_run), 0)
        log_before = len(t.server_log_text())
        open(t.actions, "w").close()
        t.start()
        all_ips = [attacker(i) for i in range(n)]
        self.assertTrue(wait_until(lambda: len(t.banned("sshd") or []) == n, timeout=30),
                        "banned after restart: %d" % len(t.banned("sshd") or []))
        self.assertTrue(wait_until(lambda: len(t.bans_in_actions()) >= n, timeout=30))
        time.sleep(0.5)
        second = t.bans_in_actions()
        self.assertEqual(sorted(second), sorted(all_ips), "every ban applied exactly once after restart")
        log = t.server_log_text()[log_before:]
        restored = log.count("Restore Ban ")
        self.assertGreater(restored, 0)
        # each address: either restored from the database or banned from the log, once
        for ip in all_ips[:50] + all_ips[-50:]:
            self.assertEqual(log.count("Ban %s\n" % ip), 1, ip)
        with sqlite3.connect(t.db) as db:
            self.assertEqual(db.execute("select count(*) from bips where jail='sshd'").fetchone()[0], n)

    def test_failing_or_hanging_action_does_not_stop_other_bans(self):
        jail = """[sshd]
enabled = true
logpath = %(log)s
maxretry = 1
action = hang
         fail
         banfile
"""
        actions = {
            "hang": "[Definition]\nactionban = sleep 30\ntimeout = 2\n",
            "fail": "[Definition]\nactionban = echo failing >&2; exit 3\n",
        }
        t = self.make(jail, extra_actions=actions)
        t.start()
        ips = [attacker(i) for i in range(50)]
        start = time.time()
        t.append("".join(sshd_line(ip) for ip in ips))
        self.assertTrue(wait_until(lambda: len(t.bans_in_actions()) == 50, timeout=10))
        self.assertLess(time.time() - start, 5, "the hanging action held up the others")
        self.assertEqual(len(t.banned("sshd")), 50)
        log = t.server_log_text()
        self.assertIn("ERROR", log)
        self.assertTrue(t.client("ping").returncode == 0)

    def test_ignoreip_never_banned(self):
        jail = sshd_jail() + "ignoreip = 127.0.0.1/8 198.51.100.0/24 203.0.113.9\n"
        t = self.make(jail)
        t.start()
        t.append("".join(sshd_line("198.51.100.%d" % (i % 200 + 1)) for i in range(2000)))
        t.append("".join(sshd_line("203.0.113.9") for _ in range(500)))
        t.append(sshd_line("203.0.113.10"))
        self.assertTrue(wait_until(lambda: t.bans_in_actions() == ["203.0.113.10"]))
        time.sleep(0.3)
        self.assertEqual(t.bans_in_actions(), ["203.0.113.10"])
        self.assertTrue(wait_until(lambda: "Ignore 203.0.113.9 by ip" in t.server_log_text()))

    def test_ignorecommand_gets_the_ip_escaped(self):
        jail = sshd_jail() + "ignorecommand = test <ip> = 203.0.113.5\n"
        t = self.make(jail)
        t.start()
        t.append(sshd_line("203.0.113.5") + sshd_line("203.0.113.6"))
        self.assertTrue(wait_until(lambda: t.bans_in_actions() == ["203.0.113.6"]))
        self.assertTrue(wait_until(lambda: "Ignore 203.0.113.5 by command" in t.server_log_text()))

    def test_sighup_reloads_and_keeps_bans(self):
        t = self.make(sshd_jail())
        t.start()
        t.append(sshd_line(attacker(1)) + sshd_line(attacker(2)))
        self.assertTrue(wait_until(lambda: len(t.bans_in_actions()) == 2))
        path = os.path.join(t.conf, "jail.local")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("findtime = 10m", "findtime = 20m"))
        t.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_until(lambda: t.client("get", "sshd", "findtime").stdout.strip() == "1200"))
        self.assertEqual(sorted(t.banned("sshd")), sorted([attacker(1), attacker(2)]))
        r = t.client("reload")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(t.banned("sshd")), sorted([attacker(1), attacker(2)]))
        t.append(sshd_line(attacker(3)))
        self.assertTrue(wait_until(lambda: attacker(3) in (t.banned("sshd") or [])))

    def test_sigterm_stops_cleanly(self):
        t = self.make(sshd_jail())
        t.start()
        t.append(sshd_line(attacker(1)))
        self.assertTrue(wait_until(lambda: len(t.bans_in_actions()) == 1))
        t.proc.send_signal(signal.SIGTERM)
        self.assertEqual(t.proc.wait(10), 0)
        t.proc.stdout.close(); t.proc.stderr.close(); t.proc = None
        lines = t.action_lines()
        self.assertEqual(lines[-2:], ["unban " + attacker(1), "stop"])
        self.assertFalse(os.path.exists(t.socket))

    def test_restart_reads_no_old_line_twice(self):
        t = self.make(sshd_jail(maxretry=2))
        t.start()
        t.append(sshd_line(attacker(1)))
        time.sleep(0.3)
        t.stop()
        t.start()
        time.sleep(0.3)
        # the old line is not read again: one more failure is not enough... unless the
        # counter restarted from the log; fail2ban keeps the position, so do we
        self.assertEqual(t.client("status", "sshd").stdout.count("Total failed:\t0"), 1)
        t.append(sshd_line(attacker(1)))
        t.append(sshd_line(attacker(1)))
        self.assertTrue(wait_until(lambda: t.bans_in_actions() == [attacker(1)]))

    def test_mail_action_with_a_standin_sendmail(self):
        # action_mwl: the ban action plus sendmail-whois-lines, as jail.conf defines
        # them; only the mail command is replaced, through sendmail-common.local
        jail = """[sshd]
enabled = true
logpath = %(log)s
maxretry = 1
banaction = banfile
mta = sendmail
destemail = admin@example.org
action = %%(action_mwl)s
"""
        t = self.make(jail)
        sendmail = os.path.join(t.dir, "sendmail")
        with open(sendmail, "w") as f:
            f.write("#!/bin/sh\n{ echo \"--- $*\"; cat; } >> %s/mails\n" % t.dir)
        os.chmod(sendmail, 0o755)
        with open(os.path.join(t.conf, "action.d", "sendmail-common.local"), "w") as f:
            f.write("[Init]\nmailcmd = %s -f \"<sender>\" \"<dest>\"\n" % sendmail)
        t.start()
        ip = attacker(9)
        t.append(sshd_line(ip))
        mails = os.path.join(t.dir, "mails")

        def read():
            if not os.path.exists(mails):
                return ""
            with open(mails) as f:
                return f.read()
        # the start mail, then the ban mail (whole: whois may take its time)
        self.assertTrue(wait_until(lambda: read().count("Regards") >= 2, timeout=30), read())
        text = read()
        self.assertRegex(text, r"--- -f root@\S+ admin@example.org")  # jail.conf: sender = root@<fq-hostname>
        self.assertIn("Subject: [Fail2Ban] sshd: started on ", text)
        self.assertIn("Subject: [Fail2Ban] sshd: banned %s from " % ip, text)
        self.assertNotIn("<fq-hostname>", text)
        self.assertIn("Failed password for root from %s" % ip, text)  # the log lines
        self.assertEqual(t.bans_in_actions(), [ip])

    def test_recidive_reads_our_log(self):
        jail = sshd_jail() + """
[recidive]
enabled = true
logpath = %(dir)s/server.log
maxretry = 2
bantime = 1w
findtime = 1d
action = banfile
"""
        t = self.make(jail)
        t.start()
        ip = attacker(5)
        t.append(sshd_line(ip))
        self.assertTrue(wait_until(lambda: t.bans_in_actions() == [ip]))
        t.client("set", "sshd", "unbanip", ip)
        t.append(sshd_line(ip))
        self.assertTrue(wait_until(lambda: ip in (t.banned("recidive") or []), timeout=10),
                        t.server_log_text()[-2000:])


class BadInputTest(TreeTest):

    def test_malformed_client_command_and_unknown_jail(self):
        t = self.make(sshd_jail())
        t.start()
        r = t.client("set", "sshd", "frobnicate")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Invalid command", r.stdout + r.stderr)
        r = t.client("status", "nojail")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Sorry but the jail 'nojail' does not exist", r.stdout + r.stderr)
        # a raw line that is no JSON, then a huge one, straight to the socket
        import socket
        for payload in (b"{not json\n", b"x" * 200000 + b"\n"):
            s = socket.socket(socket.AF_UNIX)
            s.connect(t.socket)
            s.sendall(payload)
            s.settimeout(5)
            try:
                s.recv(4096)
            except OSError:
                pass
            s.close()
        self.assertEqual(t.client("ping").returncode, 0)

    def test_socket_in_use(self):
        t = self.make(sshd_jail())
        t.start()
        second = subprocess.run([SERVER, "-f", "-c", t.conf], capture_output=True, text=True, timeout=20)
        self.assertEqual(second.returncode, 255)
        self.assertIn("socket already in use", second.stderr)
        self.assertEqual(t.client("ping").returncode, 0)

    def test_broken_jail_reported_others_start(self):
        jail = sshd_jail() + """
[broken]
enabled = true
filter = sshd
logpath = %(log)s
failregex = ^(unbalanced <HOST>
action = banfile

[journal]
enabled = true
filter = sshd
backend = systemd
action = banfile
"""
        t = self.make(jail)
        t.start()
        self.assertEqual(t.client("status").stdout, "Status\n|- Number of jail:\t1\n`- Jail list:\tsshd\n")
        self.assertTrue(wait_until(lambda: re.search(r"Jail 'broken' not started: .*jail.local:\d+",
                                                     t.server_log_text())), t.server_log_text())
        self.assertTrue(wait_until(lambda: re.search(r"Jail 'journal' not started: .*systemd.*not supported",
                                                     t.server_log_text())), t.server_log_text())
        t.append(sshd_line(attacker(3)))
        self.assertTrue(wait_until(lambda: t.bans_in_actions() == [attacker(3)]))

    def test_unreadable_log(self):
        jail = sshd_jail() + """
[other]
enabled = true
filter = sshd
logpath = %(dir)s/folder-log
action = banfile
"""
        t = self.make(jail)
        os.mkdir(os.path.join(t.dir, "folder-log"))
        t.start()
        t.append(sshd_line(attacker(1)))
        self.assertTrue(wait_until(lambda: t.bans_in_actions() == [attacker(1)]))
        self.assertTrue(wait_until(lambda: re.search(r"folder-log.*(cannot|directory)", t.server_log_text())),
                        t.server_log_text())

    def test_corrupt_database_kept_aside(self):
        t = self.make(sshd_jail())
        with open(t.db, "wb") as f:
            f.write(b"this is not a database" * 100)
        t.start()
        t.append(sshd_line(attacker(1)))
        self.assertTrue(wait_until(lambda: t.bans_in_actions() == [attacker(1)]))
        aside = [n for n in os.listdir(t.dir) if n.startswith("db.sqlite3.")]
        self.assertEqual(len(aside), 1, os.listdir(t.dir))
        self.assertTrue(wait_until(lambda: "not a database" in t.server_log_text()), t.server_log_text())

    def test_fail2ban_database_migrates_with_bans(self):
        t = self.make(sshd_jail())
        shutil.copy(os.path.join(CORPUS, "tests", "files", "database_v2.db"), t.db)
        t.start()
        with sqlite3.connect(t.db) as db:
            self.assertEqual(db.execute("select version from fail2banDb").fetchone()[0], 4)
        self.assertTrue(wait_until(lambda: "Database updated from '2' to '4'" in t.server_log_text()),
                        t.server_log_text())


if __name__ == "__main__":
    for path in (SERVER, CLIENT):
        if not os.access(path, os.X_OK):
            sys.exit("missing %s" % path)
    unittest.main()
