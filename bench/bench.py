#!/usr/bin/env python3
"""Side-by-side benchmark: swc (libswiftclient), python-swiftclient's `swift`
and rclone against the same local Swift cluster, in one run.

Run through bench/run, which builds swc, starts a dedicated cluster (proxy
with 2 workers, 6 GiB tmpfs, access log over UDP) and stops its updaters and
expirer. Every workload runs interleaved (swc, swift, rclone, swc, ...) for
--rounds rounds; the table gives the median and min-max of each figure.

Figures per run: wall time; client CPU seconds (user + sys of the client
process and its waited-for children, from wait4); the client's peak RSS;
HTTP requests the client made (access-log lines of the outer proxy-logging
with no swift_source, i.e. not internal subrequests); CPU seconds used by
the cluster's processes (proxy workers, storage servers, memcached) during
the run.
"""
import argparse
import datetime
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf("SC_CLK_TCK")
MiB = 1 << 20


class AccessLog(threading.Thread):
    """Counts client requests from the proxy's access log (UDP syslog)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self.lock = threading.Lock()

    def run(self):
        while True:
            data = self.sock.recv(65536).decode("utf-8", "replace")
            # "<pri>proxy-tempauth: client remote date method path proto
            #  status referer agent token recvd sent etag txid headers time
            #  source info start end policy"
            _, _, line = data.partition(": ")
            f = line.split()
            if len(f) > 16 and f[3] in ("GET", "HEAD", "PUT", "POST", "DELETE", "COPY", "OPTIONS"):
                if f[16] == "-":
                    with self.lock:
                        self.count += 1

    def value(self):
        with self.lock:
            return self.count


def cluster_sessions():
    out = subprocess.run([os.path.join(ROOT, "scripts", "cluster"), "pids"], check=True,
                         capture_output=True, text=True).stdout
    return {int(line.split()[1]) for line in out.splitlines() if line.strip()}


def server_cpu(sessions):
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state (field 3); session is field 6, utime 14, stime 15.
        if int(fields[3]) in sessions:
            total += int(fields[11]) + int(fields[12])
    return total / TICK


class Bench:
    def __init__(self, args):
        self.args = args
        self.log = AccessLog(int(os.environ["SWC_CLUSTER_PROXY_LOG_UDP"]))
        self.log.start()
        self.sessions = cluster_sessions()
        self.results = {}  # (workload, tool) -> [run dicts]
        self.floors = {}
        self.env = dict(os.environ)
        auth = os.environ["SWC_TEST_V1_AUTH"]
        self.env.update({"ST_AUTH": auth, "ST_USER": "test:tester", "ST_KEY": "testing",
                         "RCLONE_CONFIG": "/dev/null",
                         "RCLONE_CONFIG_B_TYPE": "swift", "RCLONE_CONFIG_B_AUTH": auth,
                         "RCLONE_CONFIG_B_USER": "test:tester", "RCLONE_CONFIG_B_KEY": "testing",
                         "RCLONE_CONFIG_B_AUTH_VERSION": "1"})
        for k in list(self.env):
            if k.startswith("OS_"):
                del self.env[k]
        self.swc = os.path.join(ROOT, "build", "swc")
        self.spawn = os.path.join(ROOT, "build", "spawn")
        self.swift = os.path.join(os.path.dirname(sys.executable), "swift")
        self.work = tempfile.mkdtemp(prefix="swc-bench-", dir=args.workdir)

    # ------------------------------------------------------------- running

    def measure(self, argv, cwd=None):
        """Runs one client command; returns its figures (fails loudly)."""
        req0, cpu0 = self.log.value(), server_cpu(self.sessions)
        errf = tempfile.TemporaryFile()
        stats = os.path.join(self.work, "spawn.out")
        t0 = time.monotonic()
        p = subprocess.run([self.spawn, stats] + argv, cwd=cwd or self.work, env=self.env,
                           stdout=subprocess.DEVNULL, stderr=errf)
        wall = time.monotonic() - t0
        cpu1 = server_cpu(self.sessions)
        time.sleep(0.4)  # let the last access-log datagrams arrive
        if p.returncode != 0:
            errf.seek(0)
            raise SystemExit("bench: %s failed (%d):\n%s" % (" ".join(argv), p.returncode,
                                                             errf.read().decode()[-3000:]))
        with open(stats) as f:
            _code, cpu, rss_kib = f.read().split()
        return {"wall": wall, "cpu": float(cpu), "rss": int(rss_kib) / 1024.0,
                "requests": self.log.value() - req0, "server_cpu": cpu1 - cpu0}

    def quiet(self, argv, cwd=None):
        subprocess.run(argv, cwd=cwd or self.work, env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def record(self, workload, tool, run):
        self.results.setdefault((workload, tool), []).append(run)
        print("  %-10s %-7s wall %7.2fs  cpu %6.2fs  rss %6.1f MiB  requests %6d  server cpu %6.2fs"
              % (workload, tool, run["wall"], run["cpu"], run["rss"], run["requests"], run["server_cpu"]),
              flush=True)

    def cleanup(self, container):
        for c in (container, container + "_segments"):
            subprocess.run([self.swc, "delete", c], env=self.env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)

    # ----------------------------------------------------------- the data

    def make_files(self):
        a = self.args
        self.big = os.path.join(self.work, "big.bin")
        with open(self.big, "wb") as f:
            left = a.big_mib * MiB
            while left:
                n = min(left, 16 * MiB)
                f.write(os.urandom(n))
                left -= n
        self.small = os.path.join(self.work, "small")
        os.makedirs(self.small)
        for i in range(a.small_count):
            with open(os.path.join(self.small, "o%05d" % i), "wb") as f:
                f.write(os.urandom(4096))

    def tiny_tree(self, n, name):
        d = os.path.join(self.work, name)
        if not os.path.isdir(d):
            os.makedirs(d)
            for i in range(n):
                with open(os.path.join(d, "e%06d" % i), "wb") as f:
                    f.write(b"x")
        return d

    def fill(self, container, n):
        """Puts n tiny objects into container (untimed), with swc."""
        d = self.tiny_tree(n, "tiny%d" % n)
        self.quiet([self.swc, "upload", "--object-threads", "20", container, "."], cwd=d)

    # ---------------------------------------------------------- workloads

    def tools(self):
        return [t for t in ("swc", "swift", "rclone") if t in self.args.tools]

    def w1(self, r):
        seg = str(self.args.segment_mib * MiB)
        for tool in self.tools():
            c = "w1-%s-%d" % (tool, r)
            out = os.path.join(self.work, "out-w1")
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out)
            up = {"swc": [self.swc, "upload", "-S", seg, "--object-threads", "10", "--segment-threads", "10", c, "big.bin"],
                  "swift": [self.swift, "upload", "-S", seg, "--object-threads", "10", "--segment-threads", "10", c, "big.bin"],
                  "rclone": ["rclone", "copyto", "big.bin", "b:%s/big.bin" % c, "--transfers", "10", "--checkers", "10",
                             "--swift-chunk-size", "%dM" % self.args.segment_mib]}[tool]
            self.record("W1 upload", tool, self.measure(up))
            dst = os.path.join(out, "big.bin")
            down = {"swc": [self.swc, "download", c, "big.bin", "-o", dst, "--object-threads", "10"],
                    "swift": [self.swift, "download", c, "big.bin", "-o", dst, "--object-threads", "10"],
                    "rclone": ["rclone", "copyto", "b:%s/big.bin" % c, os.path.join(out, "big.bin"),
                               "--transfers", "10", "--checkers", "10"]}[tool]
            self.record("W1 download", tool, self.measure(down))
            if subprocess.run(["cmp", self.big, os.path.join(out, "big.bin")]).returncode != 0:
                raise SystemExit("bench: %s downloaded a different big.bin" % tool)
            shutil.rmtree(out)
            self.cleanup(c)

    def w2(self, r):
        for tool in self.tools():
            c = "w2-%s-%d" % (tool, r)
            out = os.path.join(self.work, "out-w2")
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out)
            up = {"swc": [self.swc, "upload", "--object-threads", "10", c, "small"],
                  "swift": [self.swift, "upload", "--object-threads", "10", c, "small"],
                  "rclone": ["rclone", "copy", "small", "b:%s/small" % c, "--transfers", "10", "--checkers", "10"]}[tool]
            self.record("W2 upload", tool, self.measure(up))
            down = {"swc": [self.swc, "download", c, "-D", out, "--object-threads", "10"],
                    "swift": [self.swift, "download", c, "-D", out, "--object-threads", "10"],
                    "rclone": ["rclone", "copy", "b:%s" % c, out, "--transfers", "10", "--checkers", "10"]}[tool]
            self.record("W2 download", tool, self.measure(down))
            got = len(os.listdir(os.path.join(out, "small")))
            if got != self.args.small_count:
                raise SystemExit("bench: %s downloaded %d of %d objects" % (tool, got, self.args.small_count))
            shutil.rmtree(out)
            rm = {"swc": [self.swc, "delete", c, "--object-threads", "10"],
                  "swift": [self.swift, "delete", c, "--object-threads", "10"],
                  "rclone": ["rclone", "purge", "b:%s" % c, "--transfers", "10", "--checkers", "10"]}[tool]
            self.record("W2 delete", tool, self.measure(rm))

    def w3(self, r):
        c = "w3-listing"
        for tool in self.tools():
            ls = {"swc": [self.swc, "list", c],
                  "swift": [self.swift, "list", c],
                  "rclone": ["rclone", "lsf", "b:%s" % c]}[tool]
            self.record("W3 list", tool, self.measure(ls))

    def w4(self, r):
        for tool in self.tools():
            c = "w4-%s-%d" % (tool, r)
            self.fill(c, self.args.delete_count)
            rm = {"swc": [self.swc, "delete", c, "--object-threads", "10"],
                  "swift": [self.swift, "delete", c, "--object-threads", "10"],
                  "rclone": ["rclone", "purge", "b:%s" % c, "--transfers", "10", "--checkers", "10"]}[tool]
            self.record("W4 delete", tool, self.measure(rm))

    def w5(self, r):
        """W2's files uploaded by swc one object per request, then as one
        archive the cluster's bulk middleware unpacks (tar, tar.gz)."""
        if "swc" not in self.tools():
            return
        variants = [("swc", ["--object-threads", "10"]),
                    ("swc tar", ["--extract-archive"]),
                    ("swc tar.gz", ["--extract-archive=tar.gz"])]
        for name, flags in variants:
            c = "w5-%s-%d" % (name.replace(" ", "-").replace(".", ""), r)
            self.record("W5 upload", name, self.measure([self.swc, "upload"] + flags + [c, "small"]))
            got = subprocess.run([self.swc, "list", c], env=self.env, capture_output=True, text=True,
                                 check=True).stdout.split()
            if len(got) != self.args.small_count:
                raise SystemExit("bench: %s uploaded %d of %d objects" % (name, len(got), self.args.small_count))
            self.cleanup(c)

    def floors_run(self):
        t = self.measure(["openssl", "dgst", "-md5", self.big])
        self.floors.setdefault("MD5 of the W1 file (openssl dgst -md5)", []).append(t)
        tok = subprocess.run([self.swc, "auth"], env=self.env, capture_output=True, text=True, check=True).stdout
        url = token = None
        for line in tok.splitlines():
            k, _, v = line.replace("export ", "").partition("=")
            v = v.strip().strip("'\"")
            if k == "OS_STORAGE_URL":
                url = v
            elif k == "OS_AUTH_TOKEN":
                token = v
        self.quiet([self.swc, "post", "floor-curl"])
        put = self.measure(["curl", "-sf", "-o", "/dev/null", "-T", self.big, "-H", "X-Auth-Token: " + token,
                            url + "/floor-curl/big.bin"])
        self.floors.setdefault("curl: one PUT of the W1 file", []).append(put)
        get = self.measure(["curl", "-sf", "-o", "/dev/null", "-H", "X-Auth-Token: " + token,
                            url + "/floor-curl/big.bin"])
        self.floors.setdefault("curl: one GET of the W1 file", []).append(get)
        self.cleanup("floor-curl")

    # ------------------------------------------------------------- report

    def versions(self):
        def out(argv):
            try:
                return subprocess.run(argv, capture_output=True, text=True, env=self.env).stdout.strip()
            except OSError:
                return "?"
        from importlib import metadata
        cpu = "?"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30)
        return [
            ("machine", "%s, %d cores, %.0f GiB RAM, %s" % (cpu, os.cpu_count(), mem, platform.platform())),
            ("date", datetime.datetime.now().strftime("%Y-%m-%d %H:%M")),
            ("libswiftclient (swc)", self.lib_version()),
            ("python-swiftclient", metadata.version("python-swiftclient")),
            ("Swift", metadata.version("swift")),
            ("rclone", out(["rclone", "version"]).splitlines()[0] if shutil.which("rclone") else "absent"),
            ("curl", out(["curl", "--version"]).splitlines()[0].split(" (")[0]),
            ("Python", platform.python_version()),
        ]

    @staticmethod
    def lib_version():
        with open(os.path.join(ROOT, "Cargo.toml")) as f:
            for line in f:
                if line.startswith("version = "):
                    return line.split('"')[1]
        return "?"

    def units(self, workload):
        a = self.args
        if workload.startswith("W1"):
            return a.big_mib / 1024.0, "GiB", a.big_mib, "MiB/s"
        if workload.startswith(("W2", "W5")):
            return a.small_count / 1000.0, "1000 obj", a.small_count, "obj/s"
        if workload.startswith("W3"):
            return a.list_count / 10000.0, "10k entries", a.list_count, "entries/s"
        return a.delete_count / 1000.0, "1000 obj", a.delete_count, "obj/s"

    def table(self):
        def med(runs, k):
            v = [r[k] for r in runs]
            return statistics.median(v), min(v), max(v)

        lines = ["| workload | tool | wall s (min–max) | throughput | client CPU s | client CPU per unit | peak RSS MiB | requests | server CPU s |",
                 "|---|---|---|---|---|---|---|---|---|"]
        workloads = []
        for (w, _t) in self.results:
            if w not in workloads:
                workloads.append(w)
        for w in workloads:
            per, unit, amount, tput = self.units(w)
            for tool in [t for (w2, t) in self.results if w2 == w]:
                runs = self.results.get((w, tool))
                if not runs:
                    continue
                wall, wmin, wmax = med(runs, "wall")
                cpu = med(runs, "cpu")[0]
                lines.append("| %s | %s | %.2f (%.2f–%.2f) | %.1f %s | %.2f | %.3f per %s | %.1f | %d | %.2f |" % (
                    w, tool, wall, wmin, wmax, amount / wall, tput, cpu, cpu / per, unit,
                    med(runs, "rss")[0], med(runs, "requests")[0], med(runs, "server_cpu")[0]))
        if self.floors:
            lines += ["", "| floor (median of the rounds) | wall s (min–max) | client CPU s (min–max) | peak RSS MiB |",
                      "|---|---|---|---|"]
            for k, runs in self.floors.items():
                wall, wmin, wmax = med(runs, "wall")
                cpu, cmin, cmax = med(runs, "cpu")
                lines.append("| %s | %.2f (%.2f–%.2f) | %.2f (%.2f–%.2f) | %.1f |" % (
                    k, wall, wmin, wmax, cpu, cmin, cmax, med(runs, "rss")[0]))
        return "\n".join(lines)

    def report(self):
        a = self.args
        head = ["# Benchmark results", "",
                "Written by `bench/run` (%d rounds, interleaved; medians, with min–max of wall time)." % a.rounds, ""]
        head += ["- **%s**: %s" % kv for kv in self.versions()]
        head += ["- cluster: Swift proxy with 2 workers (tempauth), one account/container/object server, "
                 "memcached, devices on tmpfs; container-updater, object-updater and object-expirer stopped",
                 "- concurrency: swc and swift `--object-threads 10 --segment-threads 10`, rclone "
                 "`--transfers 10 --checkers 10`; segment / chunk size %d MiB" % a.segment_mib,
                 "- W1: one %d MiB file of random data, segmented; downloaded and compared with cmp. "
                 "W2: %d objects of 4 KiB: upload, download the container, delete. "
                 "W3: full listing of %d objects. W4: delete a container of %d objects. "
                 "W5: W2's upload by swc, one request per object, then as one archive the bulk "
                 "middleware unpacks (`--extract-archive`, tar and tar.gz)."
                 % (a.big_mib, a.small_count, a.list_count, a.delete_count),
                 "- client CPU = user + sys of the client process tree; requests = client requests in "
                 "the proxy's access log; server CPU = all cluster processes during the run", ""]
        text = "\n".join(head) + "\n" + self.table() + "\n"
        print("\n" + text)
        if a.output:
            with open(a.output, "w") as f:
                f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tools", default="swc,swift,rclone")
    ap.add_argument("--workloads", default="W1,W2,W3,W4,W5")
    ap.add_argument("--big-mib", type=int, default=1024)
    ap.add_argument("--segment-mib", type=int, default=100)
    ap.add_argument("--small-count", type=int, default=2000)
    ap.add_argument("--list-count", type=int, default=20000)
    ap.add_argument("--delete-count", type=int, default=10000)
    ap.add_argument("--workdir", default=None, help="where test files go (default: $TMPDIR)")
    ap.add_argument("--output", default=None, help="write the Markdown report here")
    a = ap.parse_args()
    a.tools = a.tools.split(",")
    wl = a.workloads.upper().split(",")
    b = Bench(a)
    try:
        print("bench: making test files in %s" % b.work, flush=True)
        b.make_files()
        if "W3" in wl:
            print("bench: filling the W3 container with %d objects" % a.list_count, flush=True)
            b.cleanup("w3-listing")
            b.fill("w3-listing", a.list_count)
        for r in range(a.rounds):
            print("bench: round %d of %d" % (r + 1, a.rounds), flush=True)
            b.floors_run()
            for w in wl:
                getattr(b, w.lower())(r)
        b.cleanup("w3-listing")
        b.report()
    finally:
        shutil.rmtree(b.work, ignore_errors=True)


if __name__ == "__main__":
    main()
