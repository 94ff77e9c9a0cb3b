#!/usr/bin/env python3
"""Write examples/mail.log: one day of a small Postfix MX behind postscreen(8).

Deterministic (fixed seed, fixed date "Nov 30", no year as syslog writes it). Addresses come
only from the documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and
2001:db8::/32. The postscreen configuration this log pretends to come from:

    postscreen_greet_action = enforce         postscreen_dnsbl_action = enforce
    postscreen_dnsbl_threshold = 3            postscreen_pipelining_enable = yes
    postscreen_non_smtp_command_enable = yes  postscreen_bare_newline_enable = yes
    postscreen_access_list = permit_mynetworks, cidr:/etc/postfix/postscreen_access.cidr

Every generated line is tagged with the event kind; the script prints (to stderr) how many
lines each mode of filters/postscreen.conf must match and how many distinct addresses that
bans, so the file can be checked with fail2ban-regex / portcullis-regex:

    python3 tools/examples/make_mail_log.py > examples/mail.log
    fail2ban-regex examples/mail.log filters/postscreen.conf

With "--expected MODE" (dnsbl, normal, aggressive) it prints only the lines that MODE must
match, for a line-by-line comparison.
"""
import itertools
import random
import sys

SEED = 20051130
HOST = "mx1"
DAY = "Nov 30"
SERVER = "[192.0.2.25]:25"
POSTSCREEN_PID = 1021
QMGR_PID = 1019
STEP = 600          # mean seconds between sessions

rnd = random.Random(SEED)
events = []          # (seconds since midnight, seq, text, kind)
seq = [0]

# kind -> modes of filters/postscreen.conf that must match the line
BANS = {
    "dnsbl-rank": {"dnsbl", "normal", "aggressive"},
    "dnsbl-reject": {"dnsbl", "normal", "aggressive"},
    "pregreet": {"normal", "aggressive"},
    "pipelining": {"normal", "aggressive"},
    "non-smtp": {"normal", "aggressive"},
    "bare-newline": {"normal", "aggressive"},
    "limit": {"normal", "aggressive"},
    "protocol-error": {"normal", "aggressive"},
    "denylist-reject": {"normal", "aggressive"},
    "denylisted": {"normal", "aggressive"},
    "too-many": {"aggressive"},
}


def emit(t, program, pid, text, kind=None):
    seq[0] += 1
    events.append((t, seq[0], f"{program}[{pid}]: {text}", kind))


def stamp(t):
    t = int(t)
    return f"{DAY} {t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"


def br(ip):
    return f"[{ip}]"


def port():
    return rnd.randint(1025, 65535)


def queue_id():
    return "".join(rnd.choice("0123456789ABCDEF") for _ in range(10))


_pid = [2100]


def pid():
    _pid[0] += rnd.randint(1, 7)
    return _pid[0]


def dnsblog(t, ip, lists):
    for domain, answer in lists:
        t += rnd.choice((0, 0, 1))
        emit(t, "postfix/dnsblog", pid(), f"addr {ip} listed by domain {domain} as {answer}")


SPAM_LISTS = [("zen.spamhaus.org", "127.0.0.4"), ("b.barracudacentral.org", "127.0.0.2"),
              ("bl.spamcop.net", "127.0.0.2"), ("psbl.surriel.com", "127.0.0.2")]
USERS = ["alice", "bob", "carol", "dave", "postmaster", "sales", "info"]


def delivery(t, ip, name, sender, prefix="postfix"):
    """smtpd accepts one message, local delivery."""
    p = pid()
    peer = f"{name}[{ip}]"
    qid = queue_id()
    rcpt = rnd.choice(USERS)
    size = rnd.randint(1800, 90000)
    emit(t, f"{prefix}/smtpd", p, f"connect from {peer}")
    emit(t + 1, f"{prefix}/smtpd", p, f"Anonymous TLS connection established from {peer}: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)")
    emit(t + 2, f"{prefix}/smtpd", p, f"{qid}: client={peer}")
    emit(t + 2, f"{prefix}/cleanup", pid(), f"{qid}: message-id=<{qid.lower()}.{rnd.randint(1000, 9999)}@{sender.split('@')[1]}>")
    emit(t + 3, f"{prefix}/qmgr", QMGR_PID, f"{qid}: from=<{sender}>, size={size}, nrcpt=1 (queue active)")
    emit(t + 3, f"{prefix}/smtpd", p, f"disconnect from {peer} ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7")
    d = rnd.randint(2, 9) / 10
    emit(t + 4, f"{prefix}/local", pid(), f"{qid}: to=<{rcpt}@example.org>, relay=local, delay={d}, delays={d / 2:.2g}/0.01/0/{d / 2:.2g}, dsn=2.0.0, status=sent (delivered to mailbox)")
    emit(t + 4, f"{prefix}/qmgr", QMGR_PID, f"{qid}: removed")


def outbound(t):
    """A local user's message relayed out (no postscreen involvement)."""
    qid = queue_id()
    n = rnd.randint(200, 230)
    emit(t, "postfix/pickup", 1018, f"{qid}: uid=1000 from=<{rnd.choice(USERS)}>")
    emit(t, "postfix/cleanup", pid(), f"{qid}: message-id=<{qid.lower()}@example.org>")
    emit(t + 1, "postfix/qmgr", QMGR_PID, f"{qid}: from=<{rnd.choice(USERS)}@example.org>, size={rnd.randint(900, 20000)}, nrcpt=1 (queue active)")
    emit(t + 2, "postfix/smtp", pid(), f"{qid}: to=<someone@example.net>, relay=mx.example.net[192.0.2.{n}]:25, delay=1.3, delays=0.05/0.01/0.6/0.64, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {queue_id()})")
    emit(t + 2, "postfix/qmgr", QMGR_PID, f"{qid}: removed")


def ps(t, text, kind=None):
    emit(t, "postfix/postscreen", POSTSCREEN_PID, text, kind)


def connect(t, ip, p):
    ps(t, f"CONNECT from {br(ip)}:{p} to {SERVER}")


# --- session kinds ------------------------------------------------------------------------

def s_pass_old(t, ip, name, sender):
    p = port()
    connect(t, ip, p)
    ps(t, f"PASS OLD {br(ip)}:{p}")
    delivery(t + 1, ip, name, sender)


def s_new_sender(t, ip, name, sender, dnswl=False):
    """First contact: passes the before-greeting tests, is deferred by the deep tests
    (450 4.3.2), retries later and passes as OLD."""
    p = port()
    connect(t, ip, p)
    if dnswl:
        dnsblog(t + 1, ip, [("list.dnswl.org", "127.0.10.0")])
    ps(t + 6, f"PASS NEW {br(ip)}:{p}")
    ps(t + 7, f"NOQUEUE: reject: RCPT from {br(ip)}:{p}: 450 4.3.2 Service currently unavailable; "
              f"from=<{sender}>, to=<{rnd.choice(USERS)}@example.org>, proto=ESMTP, helo=<{name}>")
    ps(t + 7, f"DISCONNECT {br(ip)}:{p}")
    s_pass_old(t + rnd.randint(300, 900), ip, name, sender)


def s_dnsbl(t, ip, reach_rcpt, below_threshold=False):
    p = port()
    connect(t, ip, p)
    if below_threshold:                # listed on one minor list only
        hits = [rnd.choice(SPAM_LISTS[1:])]
    else:                              # zen.spamhaus.org (weight 3) plus up to two others
        hits = [SPAM_LISTS[0]] + rnd.sample(SPAM_LISTS[1:], rnd.randint(0, 2))
    dnsblog(t + 1, ip, hits)
    rank = sum({"zen.spamhaus.org": 3}.get(d, 1) for d, _ in hits)
    if rank < 3:                       # below postscreen_dnsbl_threshold: no verdict, passes
        ps(t + 6, f"PASS NEW {br(ip)}:{p}")
        ps(t + 7, f"NOQUEUE: reject: RCPT from {br(ip)}:{p}: 450 4.3.2 Service currently unavailable; "
                  f"from=<info@example.com>, to=<{rnd.choice(USERS)}@example.org>, proto=ESMTP, helo=<[{ip}]>")
        ps(t + 7, f"DISCONNECT {br(ip)}:{p}")
        return
    ps(t + 6, f"DNSBL rank {rank} for {br(ip)}:{p}", "dnsbl-rank")
    if reach_rcpt:
        helo = rnd.choice(["User", "ylmf-pc", f"[{ip}]", "mail.example.com"])
        ps(t + 8, f"NOQUEUE: reject: RCPT from {br(ip)}:{p}: 550 5.7.1 Service unavailable; client {br(ip)} "
                  f"blocked using {hits[0][0]}; from=<spam{rnd.randint(1, 999)}@example.com>, "
                  f"to=<{rnd.choice(USERS)}@example.org>, proto=ESMTP, helo=<{helo}>", "dnsbl-reject")
        ps(t + 8, f"DISCONNECT {br(ip)}:{p}")
    else:
        ps(t + 7, f"HANGUP after 1.{rnd.randint(0, 9)} from {br(ip)}:{p} in tests after SMTP handshake")
        ps(t + 7, f"DISCONNECT {br(ip)}:{p}")


PREGREET_PAYLOADS = ["EHLO ylmf-pc\\r\\n", "EHLO User\\r\\n", "HELO localhost\\r\\n",
                     "EHLO [203.0.113.250]:25:\\r\\n"]
pregreet_seq = itertools.count()


def s_pregreet(t, ip):
    p = port()
    connect(t, ip, p)
    # one of each; the last payload imitates an address (client-controlled text after the port)
    payload = PREGREET_PAYLOADS[next(pregreet_seq) % len(PREGREET_PAYLOADS)]
    ps(t + 1, f"PREGREET {len(payload) - 2} after 0.{rnd.randint(10, 99)} from {br(ip)}:{p}: {payload}", "pregreet")
    if rnd.random() < 0.5:
        ps(t + 2, f"HANGUP after 2.{rnd.randint(0, 9)} from {br(ip)}:{p} in tests after SMTP handshake")
    else:
        ps(t + 3, f"NOQUEUE: reject: RCPT from {br(ip)}:{p}: 550 5.5.1 Protocol error; from=<a@example.com>, "
                  f"to=<{rnd.choice(USERS)}@example.org>, proto=ESMTP, helo=<User>", "protocol-error")
    ps(t + 3, f"DISCONNECT {br(ip)}:{p}")


def s_deep(t, ip, what):
    p = port()
    connect(t, ip, p)
    ps(t + 6, f"PASS NEW {br(ip)}:{p}")      # before-greeting tests passed
    if what == "pipelining":
        ps(t + 7, f"COMMAND PIPELINING from {br(ip)}:{p} after EHLO: MAIL FROM:<x@example.com>\\r\\nRCPT TO:<sales@example.org>\\r\\n", what)
    elif what == "non-smtp":
        ps(t + 7, f"NON-SMTP COMMAND from {br(ip)}:{p} after CONNECT: GET / HTTP/1.1", what)
    elif what == "bare-newline":
        ps(t + 7, f"BARE NEWLINE from {br(ip)}:{p} after DATA", what)
    ps(t + 8, f"NOQUEUE: reject: RCPT from {br(ip)}:{p}: 550 5.5.1 Protocol error; from=<x@example.com>, "
              f"to=<sales@example.org>, proto=ESMTP, helo=<example.com>", "protocol-error")
    ps(t + 8, f"DISCONNECT {br(ip)}:{p}")


def s_limit(t, ip, which, after):
    p = port()
    connect(t, ip, p)
    ps(t + 6, f"PASS NEW {br(ip)}:{p}")
    ps(t + 20 if which == "TIME" else t + 9, f"COMMAND {which} LIMIT from {br(ip)}:{p} after {after}", "limit")
    ps(t + 20 if which == "TIME" else t + 9, f"DISCONNECT {br(ip)}:{p}")


def s_hangup(t, ip):
    p = port()
    connect(t, ip, p)
    ps(t + 2, f"HANGUP after 2.{rnd.randint(0, 9)} from {br(ip)}:{p} in tests before SMTP handshake")
    ps(t + 2, f"DISCONNECT {br(ip)}:{p}")


def s_allowlisted(t, ip, name):
    p = port()
    connect(t, ip, p)
    ps(t, f"ALLOWLISTED {br(ip)}:{p}")
    delivery(t + 1, ip, name, f"backup@{name}")


def s_denylisted(t, ip, reach_rcpt):
    p = port()
    connect(t, ip, p)
    ps(t, f"DENYLISTED {br(ip)}:{p}", "denylisted")
    if reach_rcpt:
        ps(t + 2, f"NOQUEUE: reject: RCPT from {br(ip)}:{p}: 550 5.3.2 Service currently unavailable; "
                  f"from=<x@example.com>, to=<info@example.org>, proto=ESMTP, helo=<x>", "denylist-reject")
    ps(t + 2, f"DISCONNECT {br(ip)}:{p}")


def s_too_many(t, ip):
    ps(t, f"NOQUEUE: reject: CONNECT from {br(ip)}:{port()}: too many connections", "too-many")


# --- the day ------------------------------------------------------------------------------

legit = [(f"198.51.100.{h}", f"mail{h}.example.com") for h in range(10, 40)] + \
        [(f"2001:db8:100::{h:x}", f"mx{h}.example.net") for h in range(1, 9)]
bots4 = [f"203.0.113.{h}" for h in range(2, 250)]   # .250/.251: used below + [f"198.51.100.{h}" for h in range(130, 254)]
bots6 = [f"2001:db8:bad:{h:x}::1" for h in range(1, 40)]
rnd.shuffle(bots4)
bots = iter(bots4)
bots_v6 = iter(bots6)


def bot():
    return next(bots_v6) if rnd.random() < 0.15 else next(bots)


def burst(t):
    """Distributed DNSBL wave: many addresses within a few seconds."""
    for k in range(rnd.randint(7, 10)):
        s_dnsbl(t + k // 3, bot(), reach_rcpt=False)


def returning_sender(t):
    ip, name = rnd.choice(legit)
    s_pass_old(t, ip, name, f"{rnd.choice(['news', 'billing', 'jo', 'team'])}@{name.split('.', 1)[1]}")


def first_time_sender(t, dnswl):
    ip, name = rnd.choice(legit)
    s_new_sender(t, ip, name, f"hello@{name.split('.', 1)[1]}", dnswl=dnswl)


# Every kind of session appears; the order is shuffled deterministically.
playlist = (
    [returning_sender] * 8
    + [lambda t: first_time_sender(t, dnswl=True)] * 3
    + [lambda t: first_time_sender(t, dnswl=False)] * 2
    + [lambda t: s_dnsbl(t, bot(), reach_rcpt=True)] * 6
    + [lambda t: s_dnsbl(t, bot(), reach_rcpt=False)] * 8
    + [lambda t: s_dnsbl(t, bot(), reach_rcpt=False, below_threshold=True)] * 3
    + [burst] * 2
    + [lambda t: s_pregreet(t, bot())] * 5
    + [lambda t: s_deep(t, bot(), "pipelining"), lambda t: s_deep(t, bot(), "non-smtp"),
       lambda t: s_deep(t, bot(), "bare-newline")] * 2
    + [lambda t: s_limit(t, bot(), "TIME", "CONNECT"), lambda t: s_limit(t, bot(), "COUNT", "RCPT"),
       lambda t: s_limit(t, bot(), "LENGTH", "DATA")]
    + [lambda t: s_hangup(t, bot()), lambda t: s_hangup(t, rnd.choice(legit)[0])] * 3
    + [lambda t: s_allowlisted(t, f"192.0.2.{rnd.randint(40, 49)}", "backup.example.org")] * 2
    + [lambda t: s_denylisted(t, f"192.0.2.{rnd.randint(150, 159)}", reach_rcpt=True),
       lambda t: s_denylisted(t, f"192.0.2.{rnd.randint(150, 159)}", reach_rcpt=False)]
    + [outbound] * 4
)
rnd.shuffle(playlist)

t = 6 * 3600
emit(t, "postfix/anvil", 1030, "statistics: max connection rate 2/60s for (smtp:198.51.100.12) at Nov 30 05:58:01")
for session in playlist:
    session(t)
    t += rnd.randint(STEP // 2, STEP * 3 // 2)

# A client opening too many parallel sessions, and the server running out of ports.
tm = 17 * 3600 + 1800
s_too_many(tm, "203.0.113.251")
s_too_many(tm + 1, "203.0.113.251")
ps(tm + 2, f"NOQUEUE: reject: CONNECT from [198.51.100.11]:{port()}: all server ports busy")
ps(tm + 3, "warning: getpeername: Transport endpoint is not connected -- dropping this connection")
emit(tm + 4, "postfix/postscreen", POSTSCREEN_PID,
     "cache btree:/var/lib/postfix/postscreen_cache full cleanup: retained=412 dropped=37 entries")

events.sort(key=lambda e: (e[0], e[1]))
only = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--expected" else None
for t, _, text, kind in events:
    if only is None or (kind and only in BANS[kind]):
        print(f"{stamp(t)} {HOST} {text}")

for mode in ("dnsbl", "normal", "aggressive"):
    lines = [e for e in events if e[3] and mode in BANS[e[3]]]
    addrs = {e[2].split("[", 2)[2].split("]")[0] for e in lines}
    print(f"mode {mode}: {len(lines)} of {len(events)} lines match, {len(addrs)} addresses", file=sys.stderr)
