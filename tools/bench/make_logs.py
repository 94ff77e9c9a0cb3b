#!/usr/bin/env python3
"""Write large, deterministic benchmark logs: Postfix with postscreen, sshd, nginx.

    python3 tools/bench/make_logs.py --out DIR [--lines 1000000] [--seed 1]
        [--pool 100000] [--ipv6-share 0.2] [--addresses random|doc]
        [--attack-share 0.2] [--kinds mail,sshd,nginx-access,nginx-error]

Writes DIR/mail.log, DIR/auth.log, DIR/nginx-access.log and DIR/nginx-error.log, each of
exactly --lines lines. The same arguments always give the same bytes (one seeded PRNG per
file, no clock, no hash randomisation).

What is in them. Several sessions run at once and their lines interleave as in a real log;
time only moves forward (a few days over 1M lines, syslog dates "Mar  1 00:00:07" with
space-padded days, nginx's "01/Mar/2023:00:00:07 +0000" and "2023/03/01 00:00:07").
About --attack-share of the lines come from attack sessions: for mail, postscreen DNSBL
verdicts and rejects, PREGREET, HANGUP, smtpd RBL / unknown-user / relay rejects, SASL
failures, pipelining and too-many-errors; for sshd, invalid users, password guessing with
pam_unix failures, max-auth disconnects and scanners; for nginx, basic-auth failures,
limit_req rejects and 404 probes for wp-login.php, phpMyAdmin, webmail, cgi-bin. The rest
is ordinary traffic (deliveries, outbound mail, anvil, qmgr, pubkey logins, cron, sudo,
systemd-logind, page and asset requests, upstream warnings) that the filters must skip.

Attackers come from a pool of --pool addresses (a --ipv6-share of them IPv6), drawn with a
skew so that a few addresses attack often and most rarely. --addresses random makes
public-looking addresses from the seed (private, loopback, multicast, CGNAT and the
documentation ranges left out); --addresses doc uses only 192.0.2.0/24, 198.51.100.0/24,
203.0.113.0/24 and 2001:db8::/32 (only 762 IPv4 addresses exist there, so a large pool is
mostly IPv6).
"""
import argparse
import ipaddress
import os
import random
import sys

YEAR = 2023
START = 59 * 86400  # 1 March, 00:00:00 (seconds since 1 January of YEAR, no leap year)
SPAN = 4 * 86400    # the logs cover about four days, whatever their length
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


# --- time -------------------------------------------------------------------------------

class Clock:
    """Seconds since 1 January YEAR; each line moves it forward a little."""

    def __init__(self, rnd, lines):
        self.rnd = rnd
        self.t = float(START)
        self.step = SPAN / max(lines, 1)
        self._cache_key = None
        self._cache = None

    def tick(self):
        self.t += self.rnd.expovariate(1.0 / self.step)

    def fields(self):
        sec = int(self.t)
        if sec != self._cache_key:
            day, rest = divmod(sec, 86400)
            month = 0
            while day >= MONTH_DAYS[month]:
                day -= MONTH_DAYS[month]
                month += 1
            self._cache_key = sec
            self._cache = (month, day + 1, rest // 3600, rest // 60 % 60, rest % 60)
        return self._cache

    def syslog(self):
        m, d, hh, mm, ss = self.fields()
        return f"{MONTHS[m]} {d:2d} {hh:02d}:{mm:02d}:{ss:02d}"

    def nginx_access(self):
        m, d, hh, mm, ss = self.fields()
        return f"{d:02d}/{MONTHS[m]}/{YEAR}:{hh:02d}:{mm:02d}:{ss:02d} +0000"

    def nginx_error(self):
        m, d, hh, mm, ss = self.fields()
        return f"{YEAR}/{m + 1:02d}/{d:02d} {hh:02d}:{mm:02d}:{ss:02d}"


# --- addresses ----------------------------------------------------------------------------

# Ranges no attacker comes from: (first address, last address) as integers.
_RESERVED4 = [(int(ipaddress.ip_network(n).network_address), int(ipaddress.ip_network(n).broadcast_address))
              for n in ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
                        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3")]
_DOC4 = ["192.0.2.", "198.51.100.", "203.0.113."]


def _public4(rnd):
    while True:
        a = rnd.getrandbits(32)
        if a & 0xff not in (0, 255) and not any(lo <= a <= hi for lo, hi in _RESERVED4):
            return f"{a >> 24}.{a >> 16 & 0xff}.{a >> 8 & 0xff}.{a & 0xff}"


def _group(rnd):
    return f"{rnd.randint(1, 0xffff):x}"  # never 0: the text is then already canonical


def _public6(rnd):
    # Global unicast under 2a00::/12 and 2600::/12, as most of today's IPv6 traffic;
    # half in the usual ::host form, half with a full interface id.
    top = rnd.choice(("2a00", "2a01", "2a02", "2a03", "2a0a", "2600", "2601", "2603", "2604", "2607"))
    net = ":".join([top] + [_group(rnd) for _ in range(3)])
    if rnd.random() < 0.5:
        return f"{net}::{_group(rnd)}"
    return ":".join([net] + [_group(rnd) for _ in range(4)])


def make_pool(rnd, size, ipv6_share, style):
    """`size` distinct addresses, deterministic for the PRNG's state."""
    pool, seen = [], set()
    doc4 = [p + str(h) for p in _DOC4 for h in range(1, 255)]
    rnd.shuffle(doc4)
    n6 = 0
    while len(pool) < size:
        want6 = n6 < ipv6_share * (len(pool) + 1)
        if style == "doc":
            if not want6 and doc4:
                a = doc4.pop()
            else:
                a = f"2001:db8:{_group(rnd)}:{_group(rnd)}::{_group(rnd)}"
        else:
            a = _public6(rnd) if want6 else _public4(rnd)
        if a in seen:
            continue
        seen.add(a)
        n6 += ":" in a
        pool.append(a)
    return pool


class Addresses:
    def __init__(self, rnd, pool, ipv6_share, style):
        self.rnd = rnd
        self.attackers = make_pool(rnd, pool, ipv6_share, style)
        self.clients = make_pool(rnd, 2000, ipv6_share, style)

    def attacker(self):
        # Skewed: index ~ size * u^3, so the first few percent of the pool do half the attacks.
        return self.attackers[int(len(self.attackers) * self.rnd.random() ** 3)]

    def client(self):
        return self.clients[int(len(self.clients) * self.rnd.random() ** 2)]


# --- session scheduling -------------------------------------------------------------------

def interleave(out, rnd, clock, lines, attack_share, concurrency, benign, attack, render):
    """Runs `concurrency` sessions at once, picking the next line from a random one.

    `benign` and `attack` return new session generators yielding message texts; `render`
    turns (clock, message) into a log line. Keeps the attack-line share near `attack_share`.
    """
    total = attacked = 0
    active = []

    def start():
        # Feedback, not a coin: attack sessions are longer than benign ones on some logs.
        is_attack = attacked < attack_share * (total + 1)
        return [attack() if is_attack else benign(), is_attack]

    while len(active) < concurrency:
        active.append(start())
    buf = []
    while total < lines:
        i = rnd.randrange(concurrency)
        gen, is_attack = active[i]
        msg = next(gen, None)
        if msg is None:
            active[i] = start()
            continue
        clock.tick()
        buf.append(render(clock, msg))
        total += 1
        attacked += is_attack
        if len(buf) >= 4096:
            out.write("\n".join(buf) + "\n")
            buf.clear()
    if buf:
        out.write("\n".join(buf) + "\n")
    return total, attacked


def port(rnd):
    return rnd.randint(1025, 65535)


def hexid(rnd, n):
    return f"{rnd.getrandbits(4 * n):0{n}X}"


# --- Postfix with postscreen ------------------------------------------------------------

MAIL_USERS = ["alice", "bob", "carol", "dave", "postmaster", "sales", "info", "support"]
DNSBLS = [("zen.spamhaus.org", "127.0.0.4"), ("b.barracudacentral.org", "127.0.0.2"),
          ("bl.spamcop.net", "127.0.0.2"), ("psbl.surriel.com", "127.0.0.2")]
HELOS = ["ylmf-pc", "User", "WIN-8H3K2", "localhost", "[127.0.0.1]", "mail.example.com"]
SPAM_FROM = ["spam", "info", "promo", "admin", "newsletter", "noreply"]
SERVER = "[192.0.2.25]:25"


class Mail:
    def __init__(self, rnd, addrs):
        self.rnd, self.a = rnd, addrs
        self.pid = 2100

    def newpid(self):
        self.pid = self.pid + self.rnd.randint(1, 9) if self.pid < 4000000 else 2100
        return self.pid

    # Each message is (program, pid, text).
    def benign(self):
        r = self.rnd.random()
        if r < 0.45:
            return self.delivery()
        if r < 0.7:
            return self.outbound()
        if r < 0.85:
            return self.new_sender()
        if r < 0.95:
            return self.lost_connection()
        return self.anvil()

    def attack(self):
        r = self.rnd.random()
        for weight, fn in ((0.22, self.dnsbl), (0.12, self.pregreet), (0.10, self.hangup),
                           (0.14, self.smtpd_rbl), (0.14, self.unknown_user), (0.06, self.relay),
                           (0.12, self.sasl), (0.05, self.pipelining), (0.05, self.too_many_errors)):
            if r < weight:
                return fn()
            r -= weight
        return self.dnsbl()

    def ps(self, text):
        return ("postfix/postscreen", 1021, text)

    def connect(self, ip, p):
        return self.ps(f"CONNECT from [{ip}]:{p} to {SERVER}")

    def delivery(self):
        rnd = self.rnd
        ip, p, qid = self.a.client(), port(rnd), hexid(rnd, 10)
        peer = f"mx{rnd.randint(1, 9)}.example.net[{ip}]"
        yield self.connect(ip, p)
        yield self.ps(f"PASS OLD [{ip}]:{p}")
        s = self.newpid()
        yield ("postfix/smtpd", s, f"connect from {peer}")
        yield ("postfix/smtpd", s, f"Anonymous TLS connection established from {peer}: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)")
        yield ("postfix/smtpd", s, f"{qid}: client={peer}")
        yield ("postfix/cleanup", self.newpid(), f"{qid}: message-id=<{qid.lower()}.{rnd.randint(1000, 9999)}@example.net>")
        yield ("postfix/qmgr", 1019, f"{qid}: from=<{rnd.choice(MAIL_USERS)}@example.net>, size={rnd.randint(1800, 90000)}, nrcpt=1 (queue active)")
        yield ("postfix/smtpd", s, f"disconnect from {peer} ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7")
        d = rnd.randint(2, 9) / 10
        yield ("postfix/local", self.newpid(), f"{qid}: to=<{rnd.choice(MAIL_USERS)}@example.org>, relay=local, delay={d}, delays={d / 2:.2g}/0.01/0/{d / 2:.2g}, dsn=2.0.0, status=sent (delivered to mailbox)")
        yield ("postfix/qmgr", 1019, f"{qid}: removed")

    def outbound(self):
        rnd = self.rnd
        qid = hexid(rnd, 10)
        yield ("postfix/pickup", 1018, f"{qid}: uid=1000 from=<{rnd.choice(MAIL_USERS)}>")
        yield ("postfix/cleanup", self.newpid(), f"{qid}: message-id=<{qid.lower()}@example.org>")
        yield ("postfix/qmgr", 1019, f"{qid}: from=<{rnd.choice(MAIL_USERS)}@example.org>, size={rnd.randint(900, 20000)}, nrcpt=1 (queue active)")
        yield ("postfix/smtp", self.newpid(), f"{qid}: to=<someone@example.net>, relay=mx.example.net[{self.a.client()}]:25, delay=1.3, delays=0.05/0.01/0.6/0.64, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {hexid(rnd, 10)})")
        yield ("postfix/qmgr", 1019, f"{qid}: removed")

    def new_sender(self):
        rnd = self.rnd
        ip, p = self.a.client(), port(rnd)
        yield self.connect(ip, p)
        if rnd.random() < 0.3:
            yield ("postfix/dnsblog", self.newpid(), f"addr {ip} listed by domain list.dnswl.org as 127.0.10.0")
        yield self.ps(f"PASS NEW [{ip}]:{p}")
        yield self.ps(f"NOQUEUE: reject: RCPT from [{ip}]:{p}: 450 4.3.2 Service currently unavailable; from=<news@example.net>, to=<{rnd.choice(MAIL_USERS)}@example.org>, proto=ESMTP, helo=<mail.example.net>")
        yield self.ps(f"DISCONNECT [{ip}]:{p}")

    def lost_connection(self):
        rnd = self.rnd
        ip, p, s = self.a.client(), port(rnd), self.newpid()
        yield self.connect(ip, p)
        yield self.ps(f"PASS OLD [{ip}]:{p}")
        yield ("postfix/smtpd", s, f"connect from unknown[{ip}]")
        yield ("postfix/smtpd", s, f"lost connection after {rnd.choice(('EHLO', 'STARTTLS', 'CONNECT'))} from unknown[{ip}]")
        yield ("postfix/smtpd", s, f"disconnect from unknown[{ip}] ehlo=1 commands=1")

    def anvil(self):
        yield ("postfix/anvil", 1030, f"statistics: max connection rate {self.rnd.randint(1, 9)}/60s for (smtp:{self.a.client()}) at Mar  1 00:00:00")
        yield ("postfix/scache", 1031, "statistics: start interval Mar  1 00:00:00")

    def dnsbl(self):
        rnd = self.rnd
        ip, p = self.a.attacker(), port(rnd)
        yield self.connect(ip, p)
        lists = rnd.sample(DNSBLS, rnd.randint(1, 3))
        for domain, answer in lists:
            yield ("postfix/dnsblog", self.newpid(), f"addr {ip} listed by domain {domain} as {answer}")
        yield self.ps(f"DNSBL rank {rnd.randint(3, 8)} for [{ip}]:{p}")
        if rnd.random() < 0.6:
            yield self.ps(f"NOQUEUE: reject: RCPT from [{ip}]:{p}: 550 5.7.1 Service unavailable; client [{ip}] blocked using {lists[0][0]}; from=<{rnd.choice(SPAM_FROM)}{rnd.randint(1, 999)}@example.com>, to=<{rnd.choice(MAIL_USERS)}@example.org>, proto=ESMTP, helo=<{rnd.choice(HELOS)}>")
        yield self.ps(f"DISCONNECT [{ip}]:{p}")

    def pregreet(self):
        rnd = self.rnd
        ip, p = self.a.attacker(), port(rnd)
        yield self.connect(ip, p)
        yield self.ps(f"PREGREET {rnd.randint(11, 40)} after 0.{rnd.randint(10, 99)} from [{ip}]:{p}: EHLO {rnd.choice(HELOS)}\\r\\n")
        yield self.ps(f"DISCONNECT [{ip}]:{p}")

    def hangup(self):
        rnd = self.rnd
        ip, p = self.a.attacker(), port(rnd)
        yield self.connect(ip, p)
        yield self.ps(f"HANGUP after {rnd.randint(0, 9)}.{rnd.randint(1, 9)} from [{ip}]:{p} in tests before SMTP handshake")
        yield self.ps(f"DISCONNECT [{ip}]:{p}")

    def smtpd_session(self, ip, body):
        rnd = self.rnd
        p, s = port(rnd), self.newpid()
        yield self.connect(ip, p)
        yield self.ps(f"PASS OLD [{ip}]:{p}")
        yield ("postfix/smtpd", s, f"connect from unknown[{ip}]")
        for text in body:
            yield ("postfix/smtpd", s, text)
        yield ("postfix/smtpd", s, f"disconnect from unknown[{ip}] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4")

    def rcpt(self, ip, reply, rcpt):
        rnd = self.rnd
        return (f"NOQUEUE: reject: RCPT from unknown[{ip}]: {reply}; from=<{rnd.choice(SPAM_FROM)}@example.com> "
                f"to=<{rcpt}> proto=ESMTP helo=<{rnd.choice(HELOS)}>")

    def smtpd_rbl(self):
        ip = self.a.attacker()
        reply = f"554 5.7.1 Service unavailable; Client host [{ip}] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/{ip}"
        return self.smtpd_session(ip, [self.rcpt(ip, reply, f"{self.rnd.choice(MAIL_USERS)}@example.org")])

    def unknown_user(self):
        ip, rnd = self.a.attacker(), self.rnd
        body = []
        for _ in range(rnd.randint(1, 4)):
            who = f"{rnd.choice(('admin', 'test', 'web', 'user'))}{rnd.randint(1, 99)}@example.org"
            body.append(self.rcpt(ip, f"550 5.1.1 <{who}>: Recipient address rejected: User unknown in local recipient table", who))
        return self.smtpd_session(ip, body)

    def relay(self):
        ip = self.a.attacker()
        who = f"victim{self.rnd.randint(1, 999)}@example.net"
        return self.smtpd_session(ip, [self.rcpt(ip, f"554 5.7.1 <{who}>: Relay access denied", who)])

    def sasl(self):
        ip, rnd = self.a.attacker(), self.rnd
        s = self.newpid()
        yield ("postfix/smtpd", s, f"connect from unknown[{ip}]")
        n = rnd.randint(1, 3)
        for _ in range(n):
            yield ("postfix/smtpd", s, f"warning: unknown[{ip}]: SASL {rnd.choice(('LOGIN', 'PLAIN'))} authentication failed: UGFzc3dvcmQ6")
        yield ("postfix/smtpd", s, f"lost connection after AUTH from unknown[{ip}]")
        yield ("postfix/smtpd", s, f"disconnect from unknown[{ip}] ehlo=1 auth=0/{n} commands=1/{n + 1}")

    def pipelining(self):
        ip = self.a.attacker()
        return self.smtpd_session(ip, [f"improper command pipelining after CONNECT from unknown[{ip}]: \\r\\n"])

    def too_many_errors(self):
        ip = self.a.attacker()
        return self.smtpd_session(ip, [f"too many errors after RCPT from unknown[{ip}]"])


def write_mail(out, rnd, addrs, lines, share):
    clock, mail = Clock(rnd, lines), Mail(rnd, addrs)
    render = lambda c, m: f"{c.syslog()} mx1 {m[0]}[{m[1]}]: {m[2]}"
    return interleave(out, rnd, clock, lines, share, 6, mail.benign, mail.attack, render)


# --- sshd (auth.log) ------------------------------------------------------------------

SSH_USERS = ["alice", "bob", "deploy", "backup"]
BAD_USERS = ["admin", "test", "user", "oracle", "ubuntu", "guest", "postgres", "git", "ftpuser",
             "pi", "support", "1234", "administrator", "hadoop", "minecraft", "steam", "jenkins"]


class Ssh:
    def __init__(self, rnd, addrs):
        self.rnd, self.a = rnd, addrs
        self.pid = 3000
        self.session = 100

    def newpid(self):
        self.pid = self.pid + self.rnd.randint(1, 40) if self.pid < 4000000 else 3000
        return self.pid

    def benign(self):
        r = self.rnd.random()
        if r < 0.4:
            return self.login()
        if r < 0.75:
            return self.cron()
        return self.sudo()

    def attack(self):
        r = self.rnd.random()
        if r < 0.35:
            return self.invalid_user()
        if r < 0.65:
            return self.guess_root()
        if r < 0.85:
            return self.scanner()
        return self.preauth_close()

    def login(self):
        rnd = self.rnd
        ip, p, pid, user = self.a.client(), port(rnd), self.newpid(), rnd.choice(SSH_USERS)
        self.session += 1
        uid = 1000 + SSH_USERS.index(user)
        how = "publickey" if rnd.random() < 0.8 else "password"
        tail = f": ED25519 SHA256:{hexid(rnd, 20).lower()}" if how == "publickey" else ""
        yield ("sshd", pid, f"Accepted {how} for {user} from {ip} port {p} ssh2{tail}")
        yield ("sshd", pid, f"pam_unix(sshd:session): session opened for user {user}(uid={uid}) by (uid=0)")
        yield ("systemd-logind", 412, f"New session {self.session} of user {user}.")
        yield ("sshd", pid, f"Received disconnect from {ip} port {p}:11: disconnected by user")
        yield ("sshd", pid, f"Disconnected from user {user} {ip} port {p}")
        yield ("sshd", pid, f"pam_unix(sshd:session): session closed for user {user}")
        yield ("systemd-logind", 412, f"Session {self.session} logged out. Waiting for processes to exit.")
        yield ("systemd-logind", 412, f"Removed session {self.session}.")

    def cron(self):
        pid = self.newpid()
        yield ("CRON", pid, "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)")
        yield ("CRON", pid, "pam_unix(cron:session): session closed for user root")

    def sudo(self):
        user = self.rnd.choice(SSH_USERS)
        cmd = self.rnd.choice(("/usr/bin/apt update", "/usr/bin/systemctl restart nginx", "/usr/bin/journalctl -f"))
        yield ("sudo", self.newpid(), f"   {user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND={cmd}")
        yield ("sudo", self.pid, f"pam_unix(sudo:session): session opened for user root(uid=0) by {user}(uid=1000)")
        yield ("sudo", self.pid, "pam_unix(sudo:session): session closed for user root")

    def invalid_user(self):
        rnd = self.rnd
        ip, p, pid, user = self.a.attacker(), port(rnd), self.newpid(), rnd.choice(BAD_USERS)
        yield ("sshd", pid, f"Invalid user {user} from {ip} port {p}")
        yield ("sshd", pid, "pam_unix(sshd:auth): check pass; user unknown")
        yield ("sshd", pid, f"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}")
        yield ("sshd", pid, f"Failed password for invalid user {user} from {ip} port {p} ssh2")
        yield ("sshd", pid, f"Received disconnect from {ip} port {p}:11: Bye Bye [preauth]")
        yield ("sshd", pid, f"Disconnected from invalid user {user} {ip} port {p} [preauth]")

    def guess_root(self):
        rnd = self.rnd
        ip, p, pid = self.a.attacker(), port(rnd), self.newpid()
        yield ("sshd", pid, f"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user=root")
        n = rnd.randint(1, 6)
        for _ in range(n):
            yield ("sshd", pid, f"Failed password for root from {ip} port {p} ssh2")
        if n == 6:
            yield ("sshd", pid, f"error: maximum authentication attempts exceeded for root from {ip} port {p} ssh2 [preauth]")
            yield ("sshd", pid, f"Disconnecting authenticating user root {ip} port {p}: Too many authentication failures [preauth]")
            yield ("sshd", pid, f"PAM {n - 1} more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user=root")
        else:
            yield ("sshd", pid, f"Connection closed by authenticating user root {ip} port {p} [preauth]")

    def scanner(self):
        rnd = self.rnd
        ip, p, pid = self.a.attacker(), port(rnd), self.newpid()
        r = rnd.random()
        if r < 0.4:
            yield ("sshd", pid, f"Connection closed by {ip} port {p} [preauth]")
        elif r < 0.6:
            yield ("sshd", pid, f"banner exchange: Connection from {ip} port {p}: invalid format")
        elif r < 0.8:
            yield ("sshd", pid, f"Unable to negotiate with {ip} port {p}: no matching key exchange method found. Their offer: diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1 [preauth]")
        else:
            yield ("sshd", pid, f"kex_exchange_identification: Connection closed by remote host")
            yield ("sshd", pid, f"Connection closed by {ip} port {p}")

    def preauth_close(self):
        rnd = self.rnd
        ip, p, pid, user = self.a.attacker(), port(rnd), self.newpid(), rnd.choice(BAD_USERS)
        yield ("sshd", pid, f"Invalid user {user} from {ip} port {p}")
        yield ("sshd", pid, f"Connection closed by invalid user {user} {ip} port {p} [preauth]")


def write_sshd(out, rnd, addrs, lines, share):
    clock, ssh = Clock(rnd, lines), Ssh(rnd, addrs)
    render = lambda c, m: f"{c.syslog()} srv1 {m[0]}[{m[1]}]: {m[2]}"
    return interleave(out, rnd, clock, lines, share, 4, ssh.benign, ssh.attack, render)


# --- nginx ------------------------------------------------------------------------------

PAGES = ["/", "/index.html", "/about/", "/blog/", "/blog/2023/02/release-notes/", "/contact/",
         "/static/css/site.css", "/static/js/app.js", "/static/img/logo.png", "/favicon.ico",
         "/feed.xml", "/robots.txt", "/api/v1/status", "/docs/install/"]
UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
       "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
       "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
       "curl/7.88.1"]
BAD_UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36",
           "python-requests/2.31.0", "Go-http-client/1.1", "zgrab/0.x", "-"]
# Probes nginx-botsearch bans (<block>) and probes it does not.
PROBES = ["/wp-login.php", "/wordpress/wp-login.php", "/wp-admin/wp-login.php", "/phpmyadmin/index.php",
          "/phpMyAdmin/", "/pma/", "/admin/pma/index.php", "/myadmin/", "/mysqladmin/",
          "/cgi-bin/test.cgi", "/roundcube/", "/webmail/", "/horde/", "/typo3/phpmyadmin/"]
OTHER_PROBES = ["/.env", "/.git/config", "/actuator/health", "/server-status", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
                "/owa/auth/logon.aspx", "/boaform/admin/formLogin", "/config.json"]
VHOST = "www.example.org"


class Nginx:
    def __init__(self, rnd, addrs):
        self.rnd, self.a = rnd, addrs
        self.conn = 1000
        self.worker = 2101

    def newconn(self):
        self.conn += self.rnd.randint(1, 5)
        if self.rnd.random() < 0.001:
            self.worker = 2100 + self.rnd.randint(1, 4)
        return self.conn

    # access log: (ip, request, status, size, referrer, agent)
    def access_benign(self):
        rnd = self.rnd
        ip, ua = self.a.client(), rnd.choice(UAS)
        for _ in range(rnd.randint(1, 6)):
            page = rnd.choice(PAGES)
            status = 304 if rnd.random() < 0.15 else 200
            yield (ip, f"GET {page} HTTP/1.1", status, 0 if status == 304 else rnd.randint(200, 60000),
                   f"https://{VHOST}/" if page.startswith("/static") else "-", ua)

    def access_attack(self):
        rnd = self.rnd
        ip, ua = self.a.attacker(), rnd.choice(BAD_UAS)
        r = rnd.random()
        if r < 0.6:
            for _ in range(rnd.randint(1, 8)):
                path = rnd.choice(PROBES) if rnd.random() < 0.6 else rnd.choice(OTHER_PROBES)
                method = "POST" if path.endswith("wp-login.php") and rnd.random() < 0.5 else "GET"
                yield (ip, f"{method} {path} HTTP/1.1", 404, 153, "-", ua)
        elif r < 0.85:
            for _ in range(rnd.randint(1, 5)):
                yield (ip, "GET /admin/ HTTP/1.1", 401, 179, "-", ua)
        else:
            for _ in range(rnd.randint(3, 12)):
                yield (ip, "GET /api/v1/search?q=x HTTP/1.1", 503, 197, "-", ua)

    # error log: (level, text)
    def error_benign(self):
        rnd = self.rnd
        ip = self.a.client()
        r = rnd.random()
        if r < 0.35:
            yield ("error", f"*{self.newconn()} open() \"/var/www/html{rnd.choice(('/favicon.ico', '/apple-touch-icon.png', '/ads.txt'))}\" failed (2: No such file or directory), client: {ip}, server: {VHOST}, request: \"GET /favicon.ico HTTP/1.1\", host: \"{VHOST}\"")
        elif r < 0.6:
            yield ("info", f"*{self.newconn()} client {ip} closed keepalive connection")
        elif r < 0.8:
            yield ("warn", f"*{self.newconn()} an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/{rnd.randint(1, 9)}/{rnd.randint(10, 99)}/{rnd.randint(1000000, 9999999)} while reading upstream, client: {ip}, server: {VHOST}, request: \"GET /api/v1/export HTTP/1.1\", upstream: \"http://127.0.0.1:8080/api/v1/export\", host: \"{VHOST}\"")
        elif r < 0.95:
            yield ("error", f"*{self.newconn()} upstream timed out (110: Connection timed out) while reading response header from upstream, client: {ip}, server: {VHOST}, request: \"GET /api/v1/report HTTP/1.1\", upstream: \"http://127.0.0.1:8080/api/v1/report\", host: \"{VHOST}\"")
        else:
            yield ("notice", "signal process started")

    def error_attack(self):
        rnd = self.rnd
        ip = self.a.attacker()
        r = rnd.random()
        if r < 0.35:
            for _ in range(rnd.randint(1, 5)):
                user = rnd.choice(("admin", "root", "test", "user", "guest"))
                what = "password mismatch" if rnd.random() < 0.5 else 'was not found in "/etc/nginx/.htpasswd"'
                sep = ":" if what == "password mismatch" else ""
                yield ("error", f"*{self.newconn()} user \"{user}\"{sep} {what}, client: {ip}, server: {VHOST}, request: \"GET /admin/ HTTP/1.1\", host: \"{VHOST}\"")
        elif r < 0.65:
            for _ in range(rnd.randint(2, 10)):
                yield ("error", f"*{self.newconn()} limiting requests, excess: {rnd.randint(5, 40)}.{rnd.randint(100, 999)} by zone \"api\", client: {ip}, server: {VHOST}, request: \"GET /api/v1/search?q=x HTTP/1.1\", host: \"{VHOST}\"")
        else:
            for _ in range(rnd.randint(1, 6)):
                path = rnd.choice(PROBES) if rnd.random() < 0.6 else rnd.choice(OTHER_PROBES)
                yield ("error", f"*{self.newconn()} open() \"/var/www/html{path}\" failed (2: No such file or directory), client: {ip}, server: {VHOST}, request: \"GET {path} HTTP/1.1\", host: \"{VHOST}\"")


def write_nginx_access(out, rnd, addrs, lines, share):
    clock, ng = Clock(rnd, lines), Nginx(rnd, addrs)
    render = lambda c, m: f'{m[0]} - - [{c.nginx_access()}] "{m[1]}" {m[2]} {m[3]} "{m[4]}" "{m[5]}"'
    return interleave(out, rnd, clock, lines, share, 8, ng.access_benign, ng.access_attack, render)


def write_nginx_error(out, rnd, addrs, lines, share):
    clock, ng = Clock(rnd, lines), Nginx(rnd, addrs)
    render = lambda c, m: f"{c.nginx_error()} [{m[0]}] {ng.worker}#{ng.worker}: {m[1]}"
    return interleave(out, rnd, clock, lines, share, 4, ng.error_benign, ng.error_attack, render)


KINDS = {
    "mail": ("mail.log", write_mail),
    "sshd": ("auth.log", write_sshd),
    "nginx-access": ("nginx-access.log", write_nginx_access),
    "nginx-error": ("nginx-error.log", write_nginx_error),
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="folder for the logs")
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pool", type=int, default=100_000, help="attacker addresses (at most 300000)")
    ap.add_argument("--ipv6-share", type=float, default=0.2)
    ap.add_argument("--addresses", choices=("random", "doc"), default="random")
    ap.add_argument("--attack-share", type=float, default=0.2)
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated: " + ", ".join(KINDS))
    args = ap.parse_args(argv)
    if not 1 <= args.pool <= 300_000:
        ap.error("--pool must be between 1 and 300000")
    os.makedirs(args.out, exist_ok=True)
    for i, kind in enumerate(k for k in args.kinds.split(",") if k):
        if kind not in KINDS:
            ap.error(f"unknown kind {kind!r}")
        name, write = KINDS[kind]
        # One PRNG per kind, seeded from --seed and the kind's position in KINDS, so that a
        # file does not change when other kinds are (not) generated.
        rnd = random.Random(args.seed * 1000 + list(KINDS).index(kind))
        addrs = Addresses(rnd, args.pool, args.ipv6_share, args.addresses)
        path = os.path.join(args.out, name)
        with open(path + ".tmp", "w", encoding="utf-8", newline="\n") as out:
            total, attacked = write(out, rnd, addrs, args.lines, args.attack_share)
        os.replace(path + ".tmp", path)
        print(f"{path}: {total} lines, {attacked} from attack sessions ({100.0 * attacked / max(total, 1):.1f}%)",
              file=sys.stderr)


if __name__ == "__main__":
    main()
