"""A minimal Ceph RADOS Gateway (Swift API) for libswiftclient's tests.

Run through scripts/rgw (which installs the Debian packages first). One mon,
one memstore OSD and one radosgw, all on 127.0.0.1, all state (ceph.conf,
mon store, logs, PIDs) under $SWC_RGW_DIR. Every ceph command gets `-c` with
the private ceph.conf, so /etc/ceph is neither read nor needed. Every daemon
is started in its own session and recorded with its command line; `down`
signals exactly those process groups.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import daemons

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATE = os.path.abspath(os.environ.get("SWC_RGW_DIR") or os.path.join(ROOT, ".rgw"))
BASE = int(os.environ.get("SWC_CLUSTER_PORT_BASE", "18000"))
HOST = "127.0.0.1"
# Clear of the Swift cluster's ports (BASE+80..85, +200..202, +211, +443, +500).
RGW_PORT = BASE + 600
MON_PORT = BASE + 610
MSGR_PORTS = (BASE + 610, BASE + 619)
ETC = os.path.join(STATE, "etc")
RUN = os.path.join(STATE, "run")
LOGS = os.path.join(STATE, "logs")
DATA = os.path.join(STATE, "data")  # mon store and OSD directory; wiped on every rebuild
CONF = os.path.join(ETC, "ceph.conf")
MARKER = os.path.join(STATE, ".swc-rgw")  # destroy only removes a directory carrying it

DAEMONS = ["mon", "osd", "rgw"]
CEPH_NAME = {"mon": "mon.a", "osd": "osd.0", "rgw": "client.rgw.swc"}
# (uid, Swift subuser, Swift key): the same names as the Swift cluster's tempauth users.
USERS = [("test", "test:tester", "testing"), ("test2", "test2:tester2", "testing2")]
# memstore keeps every byte in the OSD's RAM, up to this cap. A full OSD
# blocks writes and even DELETEs (requests hang; radosgw cannot restart):
# only `down` + `up` (a rebuild) recovers.
MEMSTORE_BYTES = int(os.environ.get("SWC_RGW_MEMSTORE_MIB", "1024")) << 20


def log(msg):
    print("rgw: " + msg, file=sys.stderr, flush=True)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


# ---------------------------------------------------------------- processes

def daemon_logs(name):
    return "\n".join("== %s\n%s" % (p, tail(p)) for p in (
        os.path.join(LOGS, name + ".out"), os.path.join(LOGS, CEPH_NAME[name] + ".log")))


# The daemon's own log is logs/<ceph name>.log; <name>.out catches what it
# prints before its log is open (config errors, bind failures).
D = daemons.Daemons("rgw", STATE, RUN, LOGS, out_suffix=".out", logs_of=daemon_logs)
alive, start = D.alive, D.start
tail = daemons.tail


def stop(name, grace=15):
    # The OSD saves memstore to disk on SIGTERM: small for test data, but give it time.
    D.stop(name, grace)


def wait_for(what, check, names, seconds=60, interval=0.3):
    D.wait_for(what, check, names, seconds, interval)


def port_open(port):
    return daemons.port_open(HOST, port)


def binary(name):
    path = shutil.which(name)
    if not path:
        raise SystemExit("rgw: %s not found; run scripts/rgw install" % name)
    return path


def run(argv, what, timeout=60):
    """A ceph tool, bounded in time; its output, or exit with it on failure."""
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, cwd=STATE)
    except subprocess.TimeoutExpired:
        raise SystemExit("rgw: %s timed out after %ds: %s" % (what, timeout, " ".join(argv)))
    if r.returncode != 0:
        raise SystemExit("rgw: %s failed (exit %d): %s\n%s%s" % (
            what, r.returncode, " ".join(argv), r.stdout.decode(errors="replace"),
            r.stderr.decode(errors="replace")))
    return r.stdout.decode(errors="replace")


def ceph(*args, timeout=60):
    # --connect-timeout: the CLI otherwise waits forever for a mon.
    return run([binary("ceph"), "-c", CONF, "--connect-timeout", str(timeout)] + list(args),
               "ceph " + args[0], timeout + 5)


def rgw_admin(*args, check=True):
    argv = [binary("radosgw-admin"), "-c", CONF] + list(args)
    if check:
        return run(argv, "radosgw-admin " + " ".join(args[:2]))
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=60, cwd=STATE)
    return r.stdout.decode(errors="replace") if r.returncode == 0 else None


# ---------------------------------------------------------------- config

def conf_text(fsid):
    """ceph.conf. Every path points into STATE; auth is off everywhere."""
    lo, hi = MSGR_PORTS
    return """\
[global]
fsid = {fsid}
mon host = [v2:{host}:{mon}]
public addr = {host}
cluster addr = {host}
ms bind ipv6 = false
# msgr2 only: half the ports, and the mon map above has no v1 address.
ms bind msgr1 = false
ms bind port min = {lo}
ms bind port max = {hi}
# No cephx: no keyrings to make or find. Clients default to a "secure" mon
# connection, which needs cephx (radosgw loops on
# "get_initial_auth_request returned -13"); crc works without it.
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
ms mon service mode = crc
ms service mode = crc
ms mon cluster mode = crc
ms cluster mode = crc
run dir = {run}
crash dir = {state}/crash
mon cluster log file = {logs}/cluster.log
# One OSD: one replica, small pools, no autoscaler (there is no mgr anyway).
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
# The mon batches map changes for 1 s by default; radosgw creates its pools
# one mon command at a time (two proposals each), which made start-up and the
# first container PUT (index + data pools) take seconds.
paxos propose interval = 0.05
# The mon stops itself when its disk is nearly full (default 5 %); the mon
# store here is small, so only an almost-full disk should stop it.
mon data avail warn = 2
mon data avail crit = 1
# global_id reclaim is a cephx matter; without cephx the warning is noise.
mon warn on insecure global id reclaim = false
mon warn on insecure global id reclaim allowed = false

[mon]
mon data = {data}/mon/$cluster-$id
log file = {logs}/$name.log

[osd]
osd data = {data}/osd/$cluster-$id
osd journal = {data}/osd/$cluster-$id/journal
osd objectstore = memstore
memstore device bytes = {memstore}
# No `osd max object name len = 460` (LOCAL-CLUSTER.md suggests it): memstore
# works with the default, and with 460 RGW answers 400 "Metadata name too
# long" to Swift object names over ~400 characters (Swift allows 1024).
# The mon owns {lo}.
ms bind port min = {lo1}
log file = {logs}/$name.log

[client.rgw.swc]
rgw frontends = beast endpoint={host}:{rgw}
rgw enable apis = s3, swift, swift_auth, admin
rgw swift versioning enabled = true
# Storage URL http://HOST:PORT/swift/v1/AUTH_<uid> rather than .../swift/v1.
rgw swift account in url = true
rgw data = {state}/rgw
log file = {logs}/$name.log
# A client's default socket name carries its PID: one stale file per restart.
admin socket = {run}/$cluster-$name.asok
# beast serves requests as coroutines; the default 512 threads only cost
# memory and scheduling on a 2-core test machine.
rgw thread pool size = 32
# Deleted or overwritten objects free their data beyond the head (4 MiB)
# only when garbage collection runs: by default after 2 h, and the memstore
# cap would be reached long before. Collect after 30 s instead.
rgw gc obj min wait = 30
rgw gc processor period = 15
# Repeated here on purpose: radosgw must not try cephx (see [global]).
auth client required = none
ms mon client mode = crc
""".format(fsid=fsid, host=HOST, mon=MON_PORT, lo=lo, hi=hi, lo1=lo + 1, run=RUN, state=STATE,
           logs=LOGS, data=DATA, rgw=RGW_PORT, memstore=MEMSTORE_BYTES)


def argv_for(name):
    return {
        "mon": [binary("ceph-mon"), "-f", "-c", CONF, "-i", "a"],
        "osd": [binary("ceph-osd"), "-f", "-c", CONF, "-i", "0"],
        "rgw": [binary("radosgw"), "-f", "-c", CONF, "-n", CEPH_NAME["rgw"]],
    }[name]


def info():
    url = "http://%s:%d" % (HOST, RGW_PORT)
    return {
        "SWC_TEST_RGW_URL": url,
        "SWC_TEST_RGW_AUTH": url + "/auth/1.0",
        "SWC_TEST_RGW_USER": USERS[0][1],
        "SWC_TEST_RGW_KEY": USERS[0][2],
        "SWC_TEST_RGW_USER2": USERS[1][1],
        "SWC_TEST_RGW_KEY2": USERS[1][2],
    }


# ---------------------------------------------------------------- bring-up

def make_mon():
    """A fresh mon store: new fsid, a one-mon map, mkfs."""
    fsid = str(uuid.uuid4())
    write(CONF, conf_text(fsid))
    monmap = os.path.join(ETC, "monmap")
    run([binary("monmaptool"), "--create", "--clobber", "--fsid", fsid,
         "--addv", "a", "[v2:%s:%d]" % (HOST, MON_PORT), monmap], "monmaptool")
    os.makedirs(os.path.join(DATA, "mon"), exist_ok=True)
    run([binary("ceph-mon"), "-c", CONF, "-i", "a", "--mkfs", "--monmap", monmap], "ceph-mon --mkfs")


def make_osd():
    """Register osd.0 in the CRUSH map with weight 1 before it first starts, then mkfs it."""
    osd_uuid = str(uuid.uuid4())
    osd_id = ceph("osd", "create", osd_uuid).strip()
    if osd_id != "0":
        raise SystemExit("rgw: expected osd id 0 from a fresh mon, got %r" % osd_id)
    ceph("osd", "crush", "add", "osd.0", "1", "root=default")
    os.makedirs(os.path.join(DATA, "osd", "ceph-0"), exist_ok=True)
    run([binary("ceph-osd"), "-c", CONF, "-i", "0", "--mkfs", "--mkjournal", "--osd-uuid", osd_uuid],
        "ceph-osd --mkfs")


def osd_up():
    try:
        dump = json.loads(ceph("osd", "dump", "-f", "json", timeout=10))
    except (SystemExit, ValueError):
        return False
    return any(o.get("osd") == 0 and o.get("up") == 1 for o in dump.get("osds", []))


def rebuild():
    """mon + OSD from nothing. memstore keeps no data across a restart worth
    trusting, so a stopped core is always rebuilt rather than revived."""
    for name in reversed(DAEMONS):
        stop(name)
    shutil.rmtree(DATA, ignore_errors=True)
    make_mon()
    start("mon", argv_for("mon"))
    wait_for("the mon port", lambda: port_open(MON_PORT), ["mon"], 30, 0.1)
    make_osd()
    start("osd", argv_for("osd"))
    wait_for("osd.0 up", osd_up, ["mon", "osd"], 60, 0.5)


def http_answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def v1_auth(user, key):
    """(token, storage URL) from RGW's v1 auth, or None."""
    req = urllib.request.Request(info()["SWC_TEST_RGW_AUTH"],
                                 headers={"X-Auth-User": user, "X-Auth-Key": key})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            token, url = r.headers.get("X-Auth-Token"), r.headers.get("X-Storage-Url")
            if r.status in (200, 204) and token and url:
                return token, url
    except OSError:  # HTTPError included: 401/403 while RGW's user cache catches up
        pass
    return None


def ensure_user(uid, subuser, key):
    have = rgw_admin("user", "info", "--uid=" + uid, check=False)
    if have is None:
        rgw_admin("user", "create", "--uid=" + uid, "--display-name=" + uid)
        have = rgw_admin("user", "info", "--uid=" + uid)
    rec = json.loads(have)
    if not any(s.get("id") == subuser for s in rec.get("subusers", [])):
        rgw_admin("subuser", "create", "--uid=" + uid, "--subuser=" + subuser, "--access=full")
    if not any(k.get("user") == subuser and k.get("secret_key") == key for k in rec.get("swift_keys", [])):
        rgw_admin("key", "create", "--subuser=" + subuser, "--key-type=swift", "--secret-key=" + key)


def all_auth_ok():
    return all(v1_auth(sub, key) for _, sub, key in USERS)


def check_ports():
    for name, port in (("mon", MON_PORT), ("rgw", RGW_PORT)):
        if not alive(name) and port_open(port):
            raise SystemExit("rgw: port %d (for %s) is in use by a process this script did not start; "
                             "stop it or choose other ports with SWC_CLUSTER_PORT_BASE" % (port, name))


def up():
    t0 = time.time()
    os.makedirs(STATE, exist_ok=True)
    write(MARKER, "state of scripts/rgw; `scripts/rgw destroy` removes this directory\n")
    if all(alive(n) for n in DAEMONS) and all_auth_ok():
        log("already up")
        return
    check_ports()
    before = {n: alive(n) for n in DAEMONS}
    if not (alive("mon") and alive("osd")):
        rebuild()
    # radosgw creates its pools and default zone before it listens.
    start("rgw", argv_for("rgw"))
    wait_for("radosgw HTTP", lambda: http_answers(info()["SWC_TEST_RGW_URL"] + "/"), ["mon", "osd", "rgw"], 120)
    for user in USERS:
        ensure_user(*user)
    # A fresh user can miss RGW's user cache for a moment: retry, bounded.
    wait_for("Swift v1 auth of %s" % ", ".join(u[1] for u in USERS), all_auth_ok, ["rgw"], 60, 0.5)
    write(os.path.join(STATE, "rgw.env"), "".join("export %s=%s\n" % kv for kv in sorted(info().items())))
    started = " ".join(n for n in DAEMONS if alive(n) != before[n]) or "none"
    log("up in %.1fs (started: %s); state in %s" % (time.time() - t0, started, STATE))


def down():
    t0 = time.time()
    for name in reversed(DAEMONS):
        stop(name)
    log("down in %.1fs" % (time.time() - t0))


def status():
    bad = 0
    for name in DAEMONS:
        pid = alive(name)
        print("%-6s %-16s %s" % (name, CEPH_NAME[name], "running (pid %d)" % pid if pid else "stopped"))
        bad += not pid
    auth = v1_auth(USERS[0][1], USERS[0][2]) if not bad else None
    print("swift  %-16s %s" % ("v1 auth", "ok (%s)" % auth[1] if auth else "failing"))
    return 0 if auth else 1


def destroy():
    down()
    if not os.path.isdir(STATE):
        return
    if not os.path.exists(MARKER):
        raise SystemExit("rgw: %s lacks %s; not removing it" % (STATE, os.path.basename(MARKER)))
    shutil.rmtree(STATE)
    log("removed %s" % STATE)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "up":
        up()
    elif cmd == "down":
        down()
    elif cmd == "status":
        sys.exit(status())
    elif cmd == "env":
        for k, v in sorted(info().items()):
            print("export %s=%s" % (k, v))
    elif cmd == "destroy":
        destroy()
    else:
        print("usage: rgw.py up|down|status|env|destroy", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
