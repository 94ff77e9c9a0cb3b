#!/usr/bin/env python3
"""End to end with a real firewall: fail2ban's stock nftables-multiport and
iptables-multiport actions, unchanged, run by portcullis-server inside a network
namespace this test creates; the banned address must appear in the kernel's ruleset
and leave it again.

Exit 77 (CTest: skipped) with the reason when the namespace cannot be created (not
root, a kernel without network namespaces) or a tool is missing.

  PORTCULLIS_BIN=build/bin PORTCULLIS_CORPUS=../shared/corpus/fail2ban-1.0.2 \
      python3 tests/e2e/firewall_test.py -v
"""

import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server_e2e_test as e2e  # noqa: E402

NAMESPACE = "portcullis-fw-%d" % os.getpid()


def netns(*argv):
    return subprocess.run(["ip", "netns", "exec", NAMESPACE] + list(argv), capture_output=True, text=True,
                          timeout=30)


def skip_reason():
    for tool in ("ip", "nft", "iptables"):
        if not shutil.which(tool):
            return "%s is not installed" % tool
    r = subprocess.run(["ip", "netns", "add", NAMESPACE], capture_output=True, text=True)
    if r.returncode != 0:
        return "the kernel refused a network namespace: " + r.stderr.strip()
    probe = netns("nft", "list", "ruleset")
    if probe.returncode != 0:
        return "nftables refused in the namespace: " + probe.stderr.strip()
    return None


class InNamespaceTree(e2e.Tree):
    """A Tree whose server runs inside the namespace (the client reaches it through
    the socket file, which namespaces do not separate)."""

    def start(self, *extra):
        self.proc = subprocess.Popen(["ip", "netns", "exec", NAMESPACE, e2e.SERVER, "-f", "-x", "-c", self.conf]
                                     + list(extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ok = e2e.wait_until(lambda: self.client("ping").returncode == 0 or self.proc.poll() is not None)
        if self.proc.poll() is not None:
            out, err = self.proc.communicate()
            raise AssertionError("server exited %s: %s %s" % (self.proc.returncode, out, err))
        assert ok, "server did not answer ping"


JAIL = """[sshd]
enabled = true
port = ssh,2222
logpath = %%(log)s
maxretry = 1
bantime = 1h
banaction = %(banaction)s
banaction_allports = %(banaction)s
"""


class FirewallTest(unittest.TestCase):
    def run_jail(self, banaction, listing, expect_in_listing):
        t = InNamespaceTree(JAIL % {"banaction": banaction})
        self.addCleanup(t.cleanup)
        self.addCleanup(t.stop)
        t.start()
        ips = ["203.0.113.77", "2001:db8::77"] if banaction.startswith("nftables") else ["203.0.113.77"]
        for ip in ips:
            t.append(e2e.sshd_line(ip))

        def present():
            out = netns(*listing).stdout
            return all(expect_in_listing(ip) in out for ip in ips)

        self.assertTrue(e2e.wait_until(present, timeout=15),
                        "not in the ruleset:\n%s\n%s" % (netns(*listing).stdout, t.server_log_text()[-3000:]))
        self.assertEqual(sorted(t.banned("sshd")), sorted(ips))
        for ip in ips:
            self.assertEqual(t.client("set", "sshd", "unbanip", ip).stdout.strip(), "1")

        def gone():
            out = netns(*listing).stdout
            return not any(expect_in_listing(ip) in out for ip in ips)

        self.assertTrue(e2e.wait_until(gone, timeout=15), netns(*listing).stdout)
        # a ban again, then stop: actionstop removes the jail's rules
        t.append(e2e.sshd_line("198.51.100.99"))
        self.assertTrue(e2e.wait_until(lambda: expect_in_listing("198.51.100.99") in netns(*listing).stdout,
                                       timeout=15))
        t.stop()
        self.assertNotIn(expect_in_listing("198.51.100.99"), netns(*listing).stdout)
        self.assertNotIn("ERROR", t.server_log_text())

    def test_nftables_multiport(self):
        self.run_jail("nftables-multiport", ["nft", "list", "ruleset"], lambda ip: ip)

    def test_iptables_multiport(self):
        self.run_jail("iptables-multiport", ["iptables", "-S"], lambda ip: "-s %s/32 -j REJECT" % ip)


SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

POSTSCREEN_JAIL = """[postscreen]
enabled = true
filter = postscreen[mode=normal]
logpath = %(log)s
maxretry = 1
bantime = 1h
ignoreip = 127.0.0.1/8 198.51.100.0/24
action = nftables-set[name=postscreen, port=smtp]
"""


def postscreen_reject(ip, port=40000):
    stamp = time.strftime("%b %d %H:%M:%S")
    shown = "[%s]" % ip
    return ("%s mx1 postfix/postscreen[1021]: NOQUEUE: reject: RCPT from %s:%d: 550 5.7.1 Service unavailable;"
            " client %s blocked using zen.spamhaus.org; from=<a@example.com>, to=<b@example.org>, proto=ESMTP,"
            " helo=<x>\n" % (stamp, shown, port, shown))


class PostscreenSetTest(unittest.TestCase):
    """Our postscreen filter and batched nftables-set action (issue 5)."""

    def make(self):
        t = InNamespaceTree(POSTSCREEN_JAIL)
        self.addCleanup(t.cleanup)
        self.addCleanup(t.stop)
        shutil.copy(os.path.join(SOURCE, "filters", "postscreen.conf"), os.path.join(t.conf, "filter.d"))
        shutil.copy(os.path.join(SOURCE, "actions", "nftables-set.conf"), os.path.join(t.conf, "action.d"))
        t.start()
        return t

    def in_set(self, ip):
        family, name = ("ip6", "banned") if ":" in ip else ("ip", "banned")
        out = netns("nft", "list", "set", family, "pc-postscreen", name).stdout
        return ip in out

    def test_lone_ban_lands_within_a_second_while_batching(self):
        t = self.make()
        # a flood first, so that the action is batching
        flood = "".join(postscreen_reject("10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255))
                        for i in range(1, 20001))
        t.append(flood)
        self.assertTrue(e2e.wait_until(lambda: self.in_set("10.0.78.32"), timeout=60))
        for ip in ("203.0.113.200", "2001:db8::200"):
            start = time.time()
            t.append(postscreen_reject(ip))
            self.assertTrue(e2e.wait_until(lambda: self.in_set(ip), timeout=5, step=0.005), ip)
            self.assertLess(time.time() - start, 1.0, "%s took %.3f s" % (ip, time.time() - start))

    def test_ignoreip_never_banned_however_many_lines(self):
        t = self.make()
        lines = []
        for i in range(3000):
            lines.append(postscreen_reject("198.51.100.%d" % (i % 250 + 1), 1000 + i))
            if i % 100 == 0:
                lines.append(postscreen_reject("203.0.113.%d" % (i // 100 + 1)))
        t.append("".join(lines))
        self.assertTrue(e2e.wait_until(lambda: self.in_set("203.0.113.30"), timeout=30))
        time.sleep(0.5)
        out = netns("nft", "list", "set", "ip", "pc-postscreen", "banned").stdout
        self.assertNotIn("198.51.100.", out)
        self.assertEqual(len(t.banned("postscreen")), 30)


if __name__ == "__main__":
    reason = skip_reason()
    if reason:
        print("SKIPPED: " + reason)
        subprocess.run(["ip", "netns", "del", NAMESPACE], capture_output=True)
        sys.exit(77)
    try:
        result = unittest.main(exit=False).result
    finally:
        subprocess.run(["ip", "netns", "del", NAMESPACE], capture_output=True)
    sys.exit(0 if result.wasSuccessful() else 1)
