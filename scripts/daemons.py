"""The test servers' daemons, for cluster.py (Swift, Keystone) and rgw.py
(Ceph RGW): each started in its own session and recorded with its PID and
command line; stopped by process group, and only when the process still
runs the recorded command line (a recycled PID is never signalled); never
stopped by name. Standard library only: runs under the venv's Python and
the system's alike.
"""
import json
import os
import signal
import socket
import subprocess
import time


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            raw = f.read()
    except OSError:
        return None
    return [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]


def tail(path, lines=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def port_open(host, port):
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


class Daemons:
    """`tag` prefixes messages; records go to `run`, a daemon's output to
    `logs`/<name><out_suffix>; `logs_of(name)` gives the text to show when
    it dies (default: the tail of that output)."""

    def __init__(self, tag, state, run, logs, out_suffix=".log", logs_of=None):
        self.tag, self.state, self.run, self.logs = tag, state, run, logs
        self.out_suffix = out_suffix
        self.logs_of = logs_of or (lambda n: tail(os.path.join(logs, n + out_suffix)))

    def log(self, msg):
        print("%s: %s" % (self.tag, msg), file=__import__("sys").stderr, flush=True)

    def pidfile(self, name):
        return os.path.join(self.run, name + ".json")

    def alive(self, name):
        """The recorded PID if it still runs the recorded command line."""
        try:
            with open(self.pidfile(name)) as f:
                rec = json.load(f)
        except (OSError, ValueError):
            return None
        if cmdline(rec["pid"]) != rec["argv"]:
            return None
        try:
            with open("/proc/%d/stat" % rec["pid"]) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return None
        except OSError:
            return None
        return rec["pid"]

    def start(self, name, argv, env=None):
        if self.alive(name):
            return False
        os.makedirs(self.run, exist_ok=True)
        os.makedirs(self.logs, exist_ok=True)
        out = open(os.path.join(self.logs, name + self.out_suffix), "ab")
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True, cwd=self.state, env=env)
        out.close()
        with open(self.pidfile(name), "w") as f:
            f.write(json.dumps({"pid": p.pid, "argv": argv}))
        # Popen returns while the kernel may still be finishing exec: for a
        # few hundred microseconds /proc/PID/cmdline reads empty, and alive()
        # would call the fresh daemon dead. Wait (bounded) until it reads right.
        deadline = time.time() + 2
        while time.time() < deadline and p.poll() is None and cmdline(p.pid) != argv:
            time.sleep(0.001)
        return True

    def stop(self, name, grace=8):
        pid = self.alive(name)
        if pid:
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.time() + grace
            while time.time() < deadline and self.alive(name):
                time.sleep(0.1)
            if self.alive(name):
                self.log("%s did not stop on SIGTERM; SIGKILL" % name)
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            os.unlink(self.pidfile(name))
        except OSError:
            pass

    def wait_for(self, what, check, names, seconds=60, interval=0.2):
        """Until `check()`; fails at once (with its log) if one of `names`
        dies, and after `seconds` in any case."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            if check():
                return
            for n in names:
                if not self.alive(n):
                    raise SystemExit("%s: %s exited while waiting for %s; log tail:\n%s"
                                     % (self.tag, n, what, self.logs_of(n)))
            time.sleep(interval)
        tails = "\n".join(self.logs_of(n) for n in names)
        raise SystemExit("%s: timed out after %ds waiting for %s; log tail:\n%s"
                         % (self.tag, seconds, what, tails))
