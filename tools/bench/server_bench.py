#!/usr/bin/env python3
"""Benchmark the ban daemon: portcullis-server against fail2ban-server on the same jail.

    python3 tools/bench/server_bench.py [--n 10000] [--servers portcullis,fail2ban]
    python3 tools/bench/server_bench.py --storm [--n 300000] [--action nftables-set,nftables-multiport]

Both servers are started the same way, `SERVER -f -x -c CONF -s SOCK -p PID --logtarget
LOG --loglevel INFO`, on a temporary copy of fail2ban 1.0.2's stock configuration with a
fail2ban.local (database, socket, pid file in the temporary folder) and a jail.local
holding one jail with maxretry = 1; each then reads its configuration and starts the
jail itself. The script waits until `CLIENT -s SOCK status JAIL` answers, appends attack
lines (one distinct address each, deterministic for --seed, some IPv6) to the jail's log
and watches the bans arrive.

Ban daemon (issue 4): a jail `bench` with the stock sshd filter (or, --filter simple, a
one-regex filter written here) and an action written here whose actionban is one `sh`
running `printf 'ban <ip> <restored>' >> FILE` (one process per ban, as stock actions;
no clock is read inside the command, that would cost a second process). A thread of this
script woken by inotify stamps each ban line when it lands in the file.
  paced    --paced-n lines at --rate lines/s on a fresh server: line-to-ban latency per
           address = time its ban line landed - time its log line was written (median,
           p99). The default rate is below what fail2ban can ban, so that its figure is
           latency, not a queue.
  flood    --n lines written as fast as possible on a fresh server: time from the first
           line to the last ban, bans/s, the server's CPU seconds over that time (its own
           and its waited-for children's: /proc/PID/stat utime+stime+cutime+cstime),
           peak RSS (VmHWM), and the latencies under that load (mostly queueing).
  restart  `CLIENT stop`, then the server is started again on the same database: time
           from its start until all bans are applied again, CPU, peak RSS.

Postscreen storm (--storm, issue 5): postscreen `DNSBL rank` lines, 300,000 addresses by
default, jails/postscreen.conf's [postscreen] jail with filters/postscreen.conf and the
ban action(s) named by --action, the server running in a network namespace this script
creates. A ban counts when the address is in the jail's nftables set: the script asks
the kernel over netlink whether the last written address is there (cheap), then counts
the set's elements. Reported: time from the first line to all addresses in the set,
bans/s, CPU, peak RSS; then stop, restart, and time until all addresses are back.

fail2ban-server gets --fail2ban-timeout for each wait and is skipped when N exceeds
--fail2ban-limit. A server whose program is missing is skipped with a note. Figures are
wall-clock on a shared machine: compare the servers of one run, not runs of different days.
"""
import argparse
import contextlib
import ctypes
import ipaddress
import json
import os
import random
import select
import shutil
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORPUS_CONFIG = os.path.join(os.path.dirname(REPO), "shared", "corpus", "fail2ban-1.0.2", "config")
sys.path.insert(0, HERE)
from make_logs import make_pool  # noqa: E402  (same seeded public-looking addresses as the regex bench)

CLK_TCK = os.sysconf("SC_CLK_TCK")
STOP_TIMEOUT = 120  # seconds a server may take to stop before it is killed


# --- configuration tree -----------------------------------------------------------------

FILE_ACTION = """\
# server_bench.py: one line per event, one process (sh, printf is built in) per command.
[Definition]
actionstart = printf 'start\\n' >> <banfile>
actionflush = printf 'flush\\n' >> <banfile>
actionstop = printf 'stop\\n' >> <banfile>
actioncheck =
actionban = printf 'ban %%s %%s\\n' <ip> <restored> >> <banfile>
actionunban = printf 'unban %%s\\n' <ip> >> <banfile>

[Init]
banfile = {banfile}
"""

SIMPLE_FILTER = """\
# server_bench.py: one failregex, no prefregex.
[Definition]
failregex = ^\\s*\\S+ bench\\[\\d+\\]: authentication failure from <ADDR> port \\d+$
"""


def write_config(run_dir, jail_local, extra_files):
    """A copy of the stock tree in RUN/config with fail2ban.local, jail.local and the
    files given ({relative path: text}); returns the config folder."""
    conf = os.path.join(run_dir, "config")
    shutil.copytree(CORPUS_CONFIG, conf)
    files = {"fail2ban.local": f"""\
[Definition]
loglevel = INFO
logtarget = {run_dir}/server.log
socket = {run_dir}/server.sock
pidfile = {run_dir}/server.pid
dbfile = {run_dir}/server.sqlite3
dbpurgeage = 1d
allowipv6 = auto
""", "jail.local": jail_local}
    files.update(extra_files)
    for rel, text in files.items():
        with open(os.path.join(conf, rel), "w") as f:
            f.write(text)
    return conf


def ban_daemon_config(args, run_dir):
    log = os.path.join(run_dir, "attack.log")
    filt = "sshd" if args.filter == "sshd" else "bench-simple"
    jail = f"""\
[sshd]
# jail.d/defaults-debian.conf enables it; this run has only the bench jail.
enabled = false

[bench]
enabled  = true
filter   = {filt}
backend  = {args.backend}
logpath  = {log}
maxretry = 1
findtime = 600
bantime  = 3600
action   = bench-file
"""
    extra = {"action.d/bench-file.conf": FILE_ACTION.format(banfile=os.path.join(run_dir, "bans.txt")),
             "filter.d/bench-simple.conf": SIMPLE_FILTER}
    return write_config(run_dir, jail, extra), log


def find_action(name):
    """The action file for NAME: the repository's actions/ first, then the stock action.d."""
    for folder in (os.path.join(REPO, "actions"), os.path.join(CORPUS_CONFIG, "action.d")):
        path = os.path.join(folder, name + ".conf")
        if os.path.exists(path):
            return path
    return None


def storm_config(args, run_dir, action):
    log = os.path.join(run_dir, "mail.log")
    jail = f"""\
[sshd]
enabled = false

[postscreen]
enabled   = true
backend   = {args.backend}
logpath   = {log}
banaction = {action}
bantime   = 3600
"""
    extra = {}
    for src, rel in ((os.path.join(REPO, "filters", "postscreen.conf"), "filter.d/postscreen.conf"),
                     (os.path.join(REPO, "jails", "postscreen.conf"), "jail.d/postscreen.conf"),
                     (find_action(action), f"action.d/{action}.conf")):
        with open(src) as f:
            extra[rel] = f.read()
    return write_config(run_dir, jail, extra), log


# --- attack lines -----------------------------------------------------------------------

def addresses(args, n):
    return make_pool(random.Random(args.seed), n, args.ipv6_share, "random")


def line_maker(kind, seed):
    """A function (ip, now) -> one log line (bytes) that the jail's filter bans on."""
    rnd = random.Random(seed + 1)
    users = ["admin", "test", "oracle", "ubuntu", "guest", "postgres", "git", "user"]
    cache = [None, ""]

    def date(now):
        sec = int(now)
        if cache[0] != sec:
            cache[0], cache[1] = sec, time.strftime("%b %e %H:%M:%S", time.localtime(sec))
        return cache[1]

    def sshd(ip, now):
        return (f"{date(now)} bench sshd[{rnd.randint(1000, 60000)}]: Failed password for invalid user "
                f"{rnd.choice(users)} from {ip} port {rnd.randint(1024, 65535)} ssh2\n").encode()

    def simple(ip, now):
        return f"{date(now)} bench bench[{rnd.randint(1000, 60000)}]: authentication failure from {ip} port 22\n".encode()

    def postscreen(ip, now):
        return (f"{date(now)} mx1 postfix/postscreen[{rnd.randint(1000, 60000)}]: DNSBL rank "
                f"{rnd.randint(3, 9)} for [{ip}]:{rnd.randint(1024, 65535)}\n").encode()

    return {"sshd": sshd, "simple": simple, "postscreen": postscreen}[kind]


def write_paced(log, ips, make, rate):
    """Appends one line per address, `rate` a second on a fixed schedule; {ip: write time}."""
    written = {}
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    try:
        start = time.time()
        for i, ip in enumerate(ips):
            due = start + i / rate
            now = time.time()
            if due > now:
                time.sleep(due - now)
            os.write(fd, make(ip, time.time()))
            written[ip] = time.time()
    finally:
        os.close(fd)
    return written


def write_flood(log, ips, make, chunk=64 * 1024):
    """Appends all lines as fast as possible in `chunk`-byte writes; {ip: time its write
    returned}. The lines are made first so that making them is not part of the flood."""
    now = time.time()
    lines = [make(ip, now) for ip in ips]
    written = {}
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    try:
        i = 0
        while i < len(lines):
            j, size = i, 0
            while j < len(lines) and size < chunk:
                size += len(lines[j])
                j += 1
            os.write(fd, b"".join(lines[i:j]))
            t = time.time()
            for ip in ips[i:j]:
                written[ip] = t
            i = j
    finally:
        os.close(fd)
    return written


# --- servers ----------------------------------------------------------------------------

class Server:
    """One server program and its client; start() runs it in a run folder."""

    def __init__(self, name, server, client):
        self.name, self.server, self.client_argv = name, server, client
        self.proc = None
        self.sock = None

    def start(self, conf, run_dir, netns=None):
        self.sock = os.path.join(run_dir, "server.sock")
        cmd = self.server + ["-f", "-x", "-c", conf, "-s", self.sock, "-p", os.path.join(run_dir, "server.pid"),
                             "--logtarget", os.path.join(run_dir, "server.log"), "--loglevel", "INFO"]
        if netns:
            cmd = ["ip", "netns", "exec", netns] + cmd  # ip execs the server: same pid
        with open(os.path.join(run_dir, "server.out"), "ab") as out:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.started = time.time()
        return self.started

    def client(self, *words, timeout=60):
        try:
            return subprocess.run(self.client_argv + ["-s", self.sock] + list(words), capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess(words, 124, "", "client timed out")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, jail, timeout):
        """Seconds from start until `status JAIL` succeeds; raises when it never does."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited with status {self.proc.returncode} before the jail ran")
            if self.client("status", jail, timeout=10).returncode == 0:
                return time.time() - self.started
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: jail {jail} not running after {timeout} s")

    def cpu(self):
        """CPU seconds of the server and its waited-for children so far."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return sum(int(x) for x in fields[11:15]) / CLK_TCK  # utime stime cutime cstime

    def peak_rss_mb(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return None

    def stop(self, timeout):
        """`CLIENT stop`, then waits for the process; seconds from the stop command to
        its exit, or None when it had to be killed (SIGTERM, SIGKILL) after TIMEOUT s."""
        if not self.alive():
            return None
        t = time.time()
        self.client("stop", timeout=timeout)
        try:
            self.proc.wait(timeout=max(1, t + timeout - time.time()))
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        return time.time() - t

    def kill(self):
        if self.alive():
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.proc.pid, sig)  # the session start() made for it
                except ProcessLookupError:
                    return
                try:
                    self.proc.wait(timeout=wait)
                    return
                except subprocess.TimeoutExpired:
                    pass


def make_servers(args):
    servers = []
    for name in args.servers.split(","):
        if name == "portcullis":
            bin_dir = os.path.join(args.build, "bin")
            server, client = os.path.join(bin_dir, "portcullis-server"), os.path.join(bin_dir, "portcullis-client")
            if not (os.access(server, os.X_OK) and os.access(client, os.X_OK)):
                print(f"(no {server} or {client}: portcullis skipped)")
                continue
            servers.append(Server(name, [server], [client]))
        elif name == "fail2ban":
            if args.n > args.fail2ban_limit:
                print(f"(N = {args.n} > --fail2ban-limit {args.fail2ban_limit}: fail2ban-server skipped)")
                continue
            if not os.access(args.fail2ban_server, os.X_OK):
                print(f"(no {args.fail2ban_server}: fail2ban skipped)")
                continue
            # fail2ban's scripts need the system Python (the one its package is installed for).
            servers.append(Server(name, ["/usr/bin/python3", args.fail2ban_server],
                                  ["/usr/bin/python3", args.fail2ban_client]))
        else:
            raise SystemExit(f"unknown server {name!r}: portcullis or fail2ban")
    return servers


def timeout_for(args, server):
    return args.fail2ban_timeout if server.name == "fail2ban" else args.timeout


# --- watching bans: the action's file ---------------------------------------------------

class BanFile:
    """Watches the file the action appends `ban <ip> <restored>` lines to, and stamps
    each line with the time it was seen (a thread woken by inotify): the time its ban
    command finished, within the wake-up delay. The action runs nothing but `sh`, so the
    servers pay one process per ban and no clock is read inside the command."""

    IN_MODIFY, IN_NONBLOCK, IN_CLOEXEC = 0x2, 0o4000, 0o2000000

    def __init__(self, path):
        """Watches what is appended to PATH (made when missing) from now on."""
        self.path, self.rest = path, b""
        self.bans = {}  # ip -> time its ban line was seen; written by the thread under lock
        self.lock = threading.Lock()
        open(path, "ab").close()
        self.offset = os.path.getsize(path)  # only what is appended from now on
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(self.IN_NONBLOCK | self.IN_CLOEXEC)
        if self.fd < 0 or libc.inotify_add_watch(self.fd, path.encode(), self.IN_MODIFY) < 0:
            raise OSError(ctypes.get_errno(), "inotify")
        self.done = False
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self):
        while not self.done:
            if select.select([self.fd], [], [], 0.1)[0]:
                try:
                    while os.read(self.fd, 65536):
                        pass
                except BlockingIOError:
                    pass
            self._read(time.time())

    def _read(self, now):
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        self.offset += len(data)
        lines = (self.rest + data).split(b"\n")
        self.rest = lines.pop()
        with self.lock:
            for line in lines:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == b"ban":
                    self.bans.setdefault(parts[1].decode(), now)

    def close(self):
        self.done = True
        self.thread.join()
        os.close(self.fd)

    def wait(self, server, expected, timeout, interval=0.05):
        """Waits up to TIMEOUT s for bans of all EXPECTED addresses: (all there, time the
        last of them was seen, how many of them are there)."""
        deadline = time.time() + timeout
        while time.time() < deadline and server.alive():
            with self.lock:  # (cheap test first: any address counts)
                if len(self.bans) >= len(expected) and all(ip in self.bans for ip in expected):
                    break
            time.sleep(interval)
        with self.lock:
            times = [self.bans[ip] for ip in expected if ip in self.bans]
        return len(times) == len(expected), max(times, default=None), len(times)


# --- watching bans: nftables sets over netlink ------------------------------------------

class KernelSets:
    """The nftables sets of a network namespace, asked over netlink (nf_tables) directly.

    `nft list set` reads the whole set (2.5 s at 300,000 elements here), so it cannot be
    polled during a run; a netlink GETSETELEM for one address costs ~0.2 ms, a dump for
    counting ~1.2 s at 300,000 (the kernel restarts its hash walk for every message)."""

    NFNL_SUBSYS_NFTABLES, NFT_MSG_NEWSETELEM, NFT_MSG_GETSETELEM = 10, 12, 13
    NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
    NLMSG_ERROR, NLMSG_DONE, NLA_F_NESTED = 2, 3, 0x8000
    FAMILIES = {"ip": 2, "ip6": 10, "inet": 1, "bridge": 7, "netdev": 5, "arp": 3}

    def __init__(self, netns):
        """Talks to NETNS's nf_tables."""
        self.netns, self.seq = netns, 0
        libc = ctypes.CDLL(None, use_errno=True)
        with open(f"/run/netns/{netns}") as target, open("/proc/self/ns/net") as own:
            if libc.setns(target.fileno(), 0x40000000):  # CLONE_NEWNET, this thread only
                raise OSError(ctypes.get_errno(), "setns")
            try:
                self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
            finally:
                libc.setns(own.fileno(), 0x40000000)
        self.sock.bind((0, 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.sets = {4: [], 6: []}  # address version -> [(family, table, set)]

    def discover(self):
        """Finds the sets holding addresses (`nft -j -t list sets`); True when any."""
        out = subprocess.run(["ip", "netns", "exec", self.netns, "nft", "-j", "-t", "list", "sets"],
                             capture_output=True, text=True).stdout
        sets = {4: [], 6: []}
        for item in json.loads(out or '{"nftables": []}')["nftables"]:
            s = item.get("set")
            if s and s.get("type") in ("ipv4_addr", "ipv6_addr"):
                sets[4 if s["type"] == "ipv4_addr" else 6].append((s["family"], s["table"], s["name"]))
        self.sets = sets
        return bool(sets[4] or sets[6])

    @staticmethod
    def _attr(kind, payload):
        size = 4 + len(payload)
        return struct.pack("=HH", size, kind) + payload + b"\0" * (-size % 4)

    @staticmethod
    def _attrs(buf, off, end):
        while off + 4 <= end:
            size, kind = struct.unpack_from("=HH", buf, off)
            if size < 4:
                return
            yield kind & 0x3fff, off + 4, off + size
            off += (size + 3) & ~3

    def _request(self, flags, where, payload):
        family, table, name = where
        self.seq += 1
        body = (struct.pack("=BBH", self.FAMILIES[family], 0, 0) + self._attr(1, table.encode() + b"\0")
                + self._attr(2, name.encode() + b"\0") + payload)
        self.sock.send(struct.pack("=IHHII", 16 + len(body), self.NFNL_SUBSYS_NFTABLES << 8 | self.NFT_MSG_GETSETELEM,
                                   self.NLM_F_REQUEST | flags, self.seq, 0) + body)

    def _replies(self):
        """The replies to the last request, [(type, buffer, payload offset, end)], up to
        DONE or the ack; replies to earlier requests are skipped. OSError on an error."""
        out = []
        while True:
            buf = self.sock.recv(1 << 20)
            off = 0
            while off + 16 <= len(buf):
                size, kind, _, seq = struct.unpack_from("=IHHI", buf, off)
                at, off = off, off + ((size + 3) & ~3)
                if seq != self.seq:
                    continue
                if kind == self.NLMSG_DONE:
                    return out
                if kind == self.NLMSG_ERROR:
                    err = struct.unpack_from("=i", buf, at + 16)[0]
                    if err:
                        raise OSError(-err, os.strerror(-err))
                    return out
                out.append((kind & 0xff, buf, at + 20, at + size))

    def contains(self, ip):
        addr = ipaddress.ip_address(ip)
        key = self._attr(1 | self.NLA_F_NESTED, self._attr(1, addr.packed))  # ELEM_KEY { DATA_VALUE }
        elements = self._attr(3 | self.NLA_F_NESTED, self._attr(1 | self.NLA_F_NESTED, key))
        for where in self.sets[addr.version]:
            try:
                self._request(self.NLM_F_ACK, where, elements)
                if any(kind == self.NFT_MSG_NEWSETELEM for kind, *_ in self._replies()):
                    return True
            except OSError:  # ENOENT: not in this set (or the set is gone)
                pass
        return False

    def elements(self):
        """The addresses (packed) in all address sets; an interval set's end markers and
        ranges count by their first address."""
        self.discover()  # a family's set may come with that family's first ban
        found = set()
        for where in self.sets[4] + self.sets[6]:
            try:
                self._request(self.NLM_F_DUMP, where, b"")
                replies = self._replies()
            except OSError:  # the set went away
                continue
            for _, buf, off, end in replies:
                for a, start, stop in self._attrs(buf, off, end):
                    if a == 3:  # NFTA_SET_ELEM_LIST_ELEMENTS
                        for _, e, e_end in self._attrs(buf, start, stop):
                            found.add(self._element_key(buf, e, e_end))
        found.discard(None)
        return found

    def _element_key(self, buf, off, end):
        key = None
        for kind, v, v_end in self._attrs(buf, off, end):
            if kind == 1:  # NFTA_SET_ELEM_KEY { NFTA_DATA_VALUE }
                key = next((bytes(buf[d:d_end]) for k, d, d_end in self._attrs(buf, v, v_end) if k == 1), None)
            elif kind == 3 and struct.unpack_from(">I", buf, v)[0] & 1:  # ELEM_FLAGS: INTERVAL_END
                return None
        return key

    def close(self):
        self.sock.close()

    def wait(self, server, expected, timeout):
        """Polls until the last of EXPECTED (addresses) is in a set, then until all are,
        up to TIMEOUT s: (all there, time that was seen, how many of them are there)."""
        want = {ipaddress.ip_address(ip).packed for ip in expected}
        deadline = time.time() + timeout
        next_discovery = 0
        while not self.contains(expected[-1]):
            now = time.time()
            if now > deadline or not server.alive():
                return False, now, len(want & self.elements())
            if now > next_discovery:  # the sets may come with the first ban
                self.discover()
                next_discovery = now + 1.0
            time.sleep(0.01)
        seen, count = time.time(), len(want & self.elements())
        while count < len(want):  # the last one came early (restore order): look until all are there
            pause = max(0.25, 3 * (time.time() - seen))
            if time.time() + pause > deadline or not server.alive():
                return False, seen, count
            time.sleep(pause)
            seen, count = time.time(), len(want & self.elements())
        return True, seen, count


class Netns:
    """A network namespace made for one storm run (its nftables state dies with it)."""

    def __init__(self, name):
        self.name = name
        subprocess.run(["ip", "netns", "add", name], check=True)
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)

    def nft(self, *words):
        return subprocess.run(["ip", "netns", "exec", self.name, "nft"] + list(words), capture_output=True, text=True)

    def delete(self):
        subprocess.run(["ip", "netns", "del", self.name], stderr=subprocess.DEVNULL)


# --- measuring ---------------------------------------------------------------------------

def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def latencies(written, bans):
    lat = [bans[ip] - t for ip, t in written.items() if ip in bans]
    if not lat:
        return {}
    return {"latency_median_ms": statistics.median(lat) * 1e3, "latency_p99_ms": percentile(lat, 0.99) * 1e3,
            "latency_max_ms": max(lat) * 1e3}


def log_tail(run_dir, n=8):
    for name in ("server.log", "server.out"):
        path = os.path.join(run_dir, name)
        if os.path.exists(path) and os.path.getsize(path):
            with open(path, errors="replace") as f:
                return "\n".join("      " + l for l in f.read().splitlines()[-n:])
    return "      (no log)"


class Run:
    """One server run's folder: configuration, jail log, jail name, network namespace."""

    def __init__(self, args, name, jail, make_config, netns=None):
        self.dir = os.path.join(args.tmp, name)
        os.makedirs(self.dir)
        self.conf, self.log = make_config(self.dir)
        open(self.log, "w").close()
        self.jail, self.netns = jail, netns


def record_wait(result, finished, last, count, n, since, timeout, what):
    """Stores a wait's outcome; an unfinished one gets the "did not finish" note."""
    result.update(finished=finished, count=count)
    if not finished:
        result["note"] = f"did not finish in {timeout:g} s, {count} of {n} {what}"
    if last:
        result["seconds"] = last - since
        result["per_s"] = count / (last - since) if last > since else None


def phase_paced(args, server, ips):
    run = Run(args, f"{server.name}-paced", "bench", lambda d: ban_daemon_config(args, d))
    result = {"n": len(ips), "rate": args.rate}
    timeout = timeout_for(args, server)
    bans = None
    try:
        server.start(run.conf, run.dir)
        result["ready_s"] = server.wait_ready(run.jail, 120)
        bans = BanFile(os.path.join(run.dir, "bans.txt"))
        written = write_paced(run.log, ips, line_maker(args.filter, args.seed), args.rate)
        finished, _, count = bans.wait(server, ips, timeout)
        record_wait(result, finished, None, count, len(ips), 0, timeout, "bans")
        with bans.lock:
            result.update(latencies(written, bans.bans))
        server.stop(STOP_TIMEOUT)
    except (RuntimeError, OSError) as e:  # the server did not run or a program is missing
        result["error"] = f"{e}\n{log_tail(run.dir)}"
    finally:
        if bans:
            bans.close()
        server.kill()
    return result


def banned_in_db(run):
    """The addresses the run's database holds bans of (fail2ban's table bips), or None."""
    path = os.path.join(run.dir, "server.sqlite3")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return {ip for (ip,) in db.execute("SELECT ip FROM bips WHERE jail = ?", (run.jail,))}
    except sqlite3.Error:
        return None


def stop(server, result):
    result["stop_s"] = server.stop(STOP_TIMEOUT)
    if result["stop_s"] is None:
        result["stop_note"] = f"did not stop within {STOP_TIMEOUT} s: killed"


def flood_and_restart(args, server, run, ips, make, new_watch, after_stop=None):
    """Flood on a fresh server, stop, restart on its database; (flood, restart) results.

    new_watch() starts watching for bans from that moment: a BanFile or KernelSets."""
    flood, restart = {"n": len(ips)}, {}
    timeout = timeout_for(args, server)
    watch = None
    try:
        server.start(run.conf, run.dir, run.netns)
        flood["ready_s"] = server.wait_ready(run.jail, 120)
        watch = new_watch()
        cpu0 = server.cpu()
        written = write_flood(run.log, ips, make)
        first = min(written.values())
        flood["write_s"] = max(written.values()) - first
        finished, last, count = watch.wait(server, ips, timeout)
        flood["cpu_s"] = server.cpu() - cpu0
        flood["peak_rss_mb"] = server.peak_rss_mb()
        record_wait(flood, finished, last, count, len(ips), first, timeout, "bans")
        if isinstance(watch, BanFile):
            with watch.lock:
                flood.update(latencies(written, watch.bans))
        stop(server, flood)
        watch.close()
        watch = None
        if after_stop:
            after_stop(flood)

        # The same configuration and database again: every ban in it comes back restored.
        in_db = banned_in_db(run)
        if in_db is None:
            raise RuntimeError("cannot read the bans in the database")
        expected = [ip for ip in ips if ip in in_db]
        restart["n"] = len(expected)
        if not expected:
            raise RuntimeError("no bans in the database to restore")
        watch = new_watch()
        started = server.start(run.conf, run.dir, run.netns)
        restart["ready_s"] = server.wait_ready(run.jail, 120 + timeout)
        finished, last, again = watch.wait(server, expected, timeout)
        restart["cpu_s"] = server.cpu()
        restart["peak_rss_mb"] = server.peak_rss_mb()
        record_wait(restart, finished, last, again, len(expected), started, timeout, "bans back")
        stop(server, restart)
    except (RuntimeError, OSError) as e:  # the server did not run or a program is missing
        (restart if restart else flood)["error"] = f"{e}\n{log_tail(run.dir)}"
    finally:
        if watch:
            watch.close()
        server.kill()
    return flood, restart


def bench_ban_daemon(args, server):
    print(f"\n== {server.name}: jail `bench`, filter {args.filter}, backend {args.backend}, file action", flush=True)
    pool = addresses(args, args.paced_n + args.n)
    result = {"server": server.name}
    if args.paced_n:
        print(f"   paced: {args.paced_n} lines at {args.rate:g}/s ...", flush=True)
        result["paced"] = phase_paced(args, server, pool[args.n:])
        show_phase(result["paced"])
    print(f"   flood: {args.n} lines ...", flush=True)
    run = Run(args, f"{server.name}-flood", "bench", lambda d: ban_daemon_config(args, d))
    result["flood"], result["restart"] = flood_and_restart(
        args, server, run, pool[:args.n], line_maker(args.filter, args.seed),
        lambda: BanFile(os.path.join(run.dir, "bans.txt")))
    show_phase(result["flood"])
    print("   restart:")
    show_phase(result["restart"])
    return result


def phase_storm(args, server, action, ips):
    ns = Netns(f"pcbench-{os.getpid()}-{len(os.listdir(args.tmp))}")
    try:
        run = Run(args, f"{server.name}-storm-{action}", "postscreen", lambda d: storm_config(args, d, action), ns.name)

        def after_stop(flood):
            left = KernelSets(ns.name)
            flood["left_in_set_after_stop"] = len(left.elements())
            left.close()
            if flood["left_in_set_after_stop"]:  # empty it, as after a reboot
                ns.nft("flush", "ruleset")

        flood, restart = flood_and_restart(args, server, run, ips, line_maker("postscreen", args.seed),
                                           lambda: KernelSets(ns.name), after_stop)
    finally:
        ns.delete()
    flood["action"] = action
    return flood, restart


def bench_storm(args, server):
    ips = addresses(args, args.n)
    results = []
    for action in args.action.split(","):
        if not find_action(action):
            print(f"\n(no action {action}.conf in actions/ or the stock action.d: skipped)")
            continue
        print(f"\n== {server.name}: postscreen storm, {args.n} addresses, action {action}", flush=True)
        flood, restart = phase_storm(args, server, action, ips)
        show_phase(flood)
        print("   restart:")
        show_phase(restart)
        results.append({"server": server.name, "action": action, "flood": flood, "restart": restart})
    return results


# --- report ------------------------------------------------------------------------------

ROWS = [  # (phase, key, label, format, scale)
    ("paced", "latency_median_ms", "paced: median line-to-ban latency (ms)", "{:,.1f}", 1),
    ("paced", "latency_p99_ms", "paced: p99 line-to-ban latency (ms)", "{:,.1f}", 1),
    ("flood", "seconds", "flood: first line to last ban (s)", "{:,.2f}", 1),
    ("flood", "per_s", "flood: bans/s", "{:,.0f}", 1),
    ("flood", "cpu_s", "flood: server CPU (s)", "{:,.2f}", 1),
    ("flood", "peak_rss_mb", "flood: peak RSS (MB)", "{:,.1f}", 1),
    ("flood", "latency_median_ms", "flood: median latency (s)", "{:,.2f}", 1e-3),
    ("flood", "latency_p99_ms", "flood: p99 latency (s)", "{:,.2f}", 1e-3),
    ("flood", "stop_s", "stop with all bans (s)", "{:,.2f}", 1),
    ("restart", "ready_s", "restart: start to jail running (s)", "{:,.2f}", 1),
    ("restart", "seconds", "restart: start to all bans back (s)", "{:,.2f}", 1),
    ("restart", "per_s", "restart: bans back/s", "{:,.0f}", 1),
    ("restart", "cpu_s", "restart: server CPU (s)", "{:,.2f}", 1),
    ("restart", "peak_rss_mb", "restart: peak RSS (MB)", "{:,.1f}", 1),
]


def show_phase(p):
    if "error" in p:
        print(f"   FAILED: {p['error']}")
        return
    shown = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in p.items() if v is not None}
    print("   " + ", ".join(f"{k} {v}" for k, v in shown.items()))


def value(result, phase, key):
    return (result.get(phase) or {}).get(key)


def cell(result, phase, key, fmt, scale):
    p = result.get(phase) or {}
    if "error" in p:
        return "failed"
    v = p.get(key)
    if v is None:
        return "-"
    text = fmt.format(v * scale)
    return text + "*" if p.get("finished") is False else text


def print_table(results):
    """Side by side, then portcullis / fail2ban for each pair with the same action, and
    issue 4's targets. A value marked * comes from a wait that ran out."""
    heads = [r["server"] + (f" ({r['action']})" if "action" in r else "") for r in results]
    width = max([12] + [len(h) for h in heads]) + 2
    pairs = [(pc, fb) for pc in results if pc["server"] == "portcullis"
             for fb in results if fb["server"] == "fail2ban" and fb.get("action") == pc.get("action")]
    ratio_heads = ["ours/f2b" + (f" ({pc['action']})" if "action" in pc else "") for pc, _ in pairs]
    print("\n" + f"{'':<40}" + "".join(f"{h:>{width}}" for h in heads + ratio_heads))
    for phase, key, label, fmt, scale in ROWS:
        if not any(value(r, phase, key) is not None for r in results):
            continue
        line = f"{label:<40}" + "".join(f"{cell(r, phase, key, fmt, scale):>{width}}" for r in results)
        for pc, fb in pairs:
            a, b = value(pc, phase, key), value(fb, phase, key)
            line += f"{f'{a / b:,.3g}x' if a and b else '-':>{width}}"
        print(line)
    for r, h in zip(results, heads):
        for phase in ("paced", "flood", "restart"):
            for key in ("note", "stop_note"):
                note = (r.get(phase) or {}).get(key)
                if note:
                    print(f"* {h}, {phase}: {note}")
    for pc, fb in pairs:
        if "action" in pc:
            continue
        a, b = value(pc, "flood", "per_s"), value(fb, "flood", "per_s")
        if a and b:
            print(f"target: bans/s >= 10x fail2ban's: {a / b:.1f}x, {'met' if a >= 10 * b else 'NOT met'}")
    for r in results:
        lat = value(r, "paced", "latency_median_ms")
        if r["server"] == "portcullis" and lat is not None:
            print(f"target: median line-to-ban latency < 50 ms: {lat:.1f} ms, {'met' if lat < 50 else 'NOT met'}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--storm", action="store_true", help="postscreen storm (issue 5) instead of the ban daemon run")
    ap.add_argument("--n", type=int, help="addresses (lines) in the flood; default 10,000, storm 300,000")
    ap.add_argument("--servers", default="portcullis,fail2ban")
    ap.add_argument("--build", default=os.path.join(REPO, "build"), help="build folder with bin/portcullis-server")
    ap.add_argument("--filter", choices=("sshd", "simple"), default="sshd",
                    help="ban daemon jail's filter: stock sshd, or one failregex written here")
    ap.add_argument("--backend", default="auto", help="the jail's backend (auto: pyinotify in fail2ban)")
    ap.add_argument("--paced-n", type=int, default=300, help="lines of the paced latency run (0: none)")
    ap.add_argument("--rate", type=float, default=10.0, help="lines/s of the paced latency run")
    ap.add_argument("--action", help="storm: comma-separated ban actions (default nftables-set,nftables-multiport)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds portcullis gets for each wait")
    ap.add_argument("--fail2ban-timeout", type=float, default=900, help="seconds fail2ban-server gets for each wait")
    ap.add_argument("--fail2ban-limit", type=int, default=50_000, help="fail2ban-server is skipped above this N")
    ap.add_argument("--fail2ban-server", default="/usr/bin/fail2ban-server")
    ap.add_argument("--fail2ban-client", default="/usr/bin/fail2ban-client")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ipv6-share", type=float, default=0.1)
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON ('-': stdout)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (configs, logs, databases)")
    args = ap.parse_args(argv)
    if os.geteuid() != 0 and args.storm:
        ap.error("--storm needs root (network namespaces, nftables)")
    args.n = args.n or (300_000 if args.storm else 10_000)
    args.action = args.action or ("nftables-set,nftables-multiport" if args.storm else None)
    args.build = os.path.abspath(args.build)
    servers = make_servers(args)
    if not servers:
        print("nothing to run")
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up (finally blocks) on kill
    args.tmp = tempfile.mkdtemp(prefix="server-bench-")
    results = []
    try:
        for server in servers:
            if args.storm:
                results += bench_storm(args, server)
            else:
                results.append(bench_ban_daemon(args, server))
    finally:
        if args.keep:
            print(f"\n(kept {args.tmp})")
        else:
            shutil.rmtree(args.tmp, ignore_errors=True)
    print_table(results)
    if args.json:
        doc = {"benchmark": "postscreen-storm" if args.storm else "ban-daemon", "n": args.n, "seed": args.seed,
               "ipv6_share": args.ipv6_share, "filter": None if args.storm else args.filter, "backend": args.backend,
               "paced_n": None if args.storm else args.paced_n, "rate": None if args.storm else args.rate,
               "load_average": os.getloadavg(), "results": results}
        text = json.dumps(doc, indent=2)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w") as f:
                f.write(text + "\n")
    failed = any("error" in (r.get(p) or {}) for r in results for p in ("paced", "flood", "restart"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
