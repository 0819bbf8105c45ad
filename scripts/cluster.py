"""Local Swift + Keystone for libswiftclient's tests.

Run through scripts/cluster (which installs the venv first). Everything binds
to 127.0.0.1; all state (configs, rings, data, logs, PIDs) lives under
$SWC_CLUSTER_DIR. Every process is started in its own session and recorded
with its command line; `down` signals exactly those process groups.
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import daemons

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATE = os.path.abspath(os.environ.get("SWC_CLUSTER_DIR") or os.path.join(ROOT, ".cluster"))
BASE = int(os.environ.get("SWC_CLUSTER_PORT_BASE", "18000"))
HOST = "127.0.0.1"
PORTS = {
    "proxy": BASE + 80,  # tempauth
    "ks_proxy": BASE + 81,  # authtoken + keystoneauth
    "object": BASE + 200,
    "container": BASE + 201,
    "account": BASE + 202,
    "memcached": BASE + 211,
    "keystone": BASE + 500,
    "tls_proxy": BASE + 443,  # tempauth over TLS (certificates made by make_tls)
}
# Catalog endpoints nothing listens on: they exist so endpoint selection by
# interface, region and service name can be checked.
DECOY = {"internal": BASE + 82, "admin": BASE + 83, "region_two": BASE + 84, "archive": BASE + 85}
ETC = os.path.join(STATE, "etc")
SRV = os.path.join(STATE, "srv")
RUN = os.path.join(STATE, "run")
LOGS = os.path.join(STATE, "logs")
KS = os.path.join(STATE, "keystone")
TLS = os.path.join(STATE, "tls")
PY = sys.executable
SCRIPTS = os.path.join(ROOT, "scripts")

ADMIN_PASSWORD = "adminpass"
# The service user's (swc-svc, role "service"): tests send its token as
# X-Service-Token.
SERVICE_PASSWORD = "svcpass"
TEMPAUTH_USERS = {
    "user_admin_admin": "admin .admin .reseller_admin",
    "user_test_tester": "testing .admin",
    "user_test_tester3": "testing3",
    "user_test2_tester2": "testing2 .admin",
    # An account only `delete --all` tests use: they empty it whole.
    "user_wipe_tester": "testingwipe .admin",
}


def log(msg):
    print("cluster: " + msg, file=sys.stderr, flush=True)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


# ---------------------------------------------------------------- processes

D = daemons.Daemons("cluster", STATE, RUN, LOGS)
alive, start, wait_for = D.alive, D.start, D.wait_for


def stop(name):
    D.stop(name, grace=8)


def port_open(port):
    return daemons.port_open(HOST, port)


def http_ok(url, expect=(200,)):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status in expect
    except urllib.error.HTTPError as e:
        return e.code in expect
    except OSError:
        return False


def https_ok(url):
    import ssl
    ctx = ssl.create_default_context(cafile=os.path.join(TLS, "ca.pem"))
    try:
        with urllib.request.urlopen(url, timeout=2, context=ctx) as r:
            return r.status == 200
    except OSError:
        return False


# ---------------------------------------------------------------- storage

def mount_tmpfs():
    os.makedirs(SRV, exist_ok=True)
    with open("/proc/mounts") as f:
        if any(line.split()[1] == SRV for line in f):
            return
    size = os.environ.get("SWC_CLUSTER_TMPFS_SIZE", "4g")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size, "tmpfs", SRV],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        log("warning: cannot mount a tmpfs on %s (%s); using a plain directory: "
            "objects with ~4 KiB of metadata will fail on ext4"
            % (SRV, r.stderr.decode(errors="replace").strip()))


def build_rings():
    if os.path.exists(os.path.join(ETC, "object-1.ring.gz")):
        return
    from swift.common.ring import RingBuilder
    for ring, port in (("account", PORTS["account"]), ("container", PORTS["container"]),
                       ("object", PORTS["object"]), ("object-1", PORTS["object"])):
        # Part power 2 (4 partitions), not the usual ~10: the container
        # updater forks a process per partition holding containers, each
        # sweep. With 1024 partitions and the ~250 containers the suite
        # makes, that was ~1.8 cores of 2 busy for its whole second half
        # (measured from the updater's CPU time); with 4 it is under 0.1.
        b = RingBuilder(2, 1, 1)
        b.add_dev({"id": 0, "region": 1, "zone": 1, "ip": HOST, "port": port,
                   "device": "sdb1", "weight": 100.0, "meta": ""})
        b.rebalance()
        b.save(os.path.join(ETC, ring + ".builder"))
        b.get_ring().save(os.path.join(ETC, ring + ".ring.gz"))


# ---------------------------------------------------------------- TLS

def make_tls():
    """A test CA, a server certificate for 127.0.0.1/localhost, a client
    certificate, and an unrelated second CA, made with the openssl CLI."""
    if os.path.exists(os.path.join(TLS, "other-ca.pem")):
        return
    os.makedirs(TLS, exist_ok=True)

    def ossl(*args):
        r = subprocess.run(["openssl"] + list(args), cwd=TLS, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise SystemExit("cluster: openssl %s failed:\n%s" % (args[0], r.stdout.decode(errors="replace")))

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for ca in ("ca", "other-ca"):
        ossl("req", "-x509", *ec, "-keyout", ca + ".key", "-out", ca + ".pem", "-days", "3650",
             "-subj", "/CN=swc test %s" % ca)
    write(os.path.join(TLS, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
          "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
    write(os.path.join(TLS, "client.ext"), "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
          "extendedKeyUsage=clientAuth\n")
    for who in ("server", "client"):
        ossl("req", *ec, "-keyout", who + ".key", "-out", who + ".csr", "-subj", "/CN=swc test " + who)
        ossl("x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", who + ".pem", "-days", "3650", "-extfile", who + ".ext")


# ---------------------------------------------------------------- configs

def common(port, name):
    return ("[DEFAULT]\nbind_ip = %s\nbind_port = %d\nswift_dir = %s\ndevices = %s\n"
            "mount_check = false\nuser = %s\nworkers = 1\nlog_name = %s\n"
            "log_level = INFO\nrecon_cache_path = %s\n" % (HOST, port, ETC, SRV, user(), name,
                                                    os.path.join(STATE, "recon")))


def user():
    import pwd
    return pwd.getpwuid(os.getuid()).pw_name


def proxy_conf(port, auth_filters, auth_sections, name):
    pipeline = ("catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk "
                "tempurl formpost ratelimit %s staticweb copy container-quotas account-quotas "
                "slo dlo versioned_writes symlink proxy-logging proxy-server" % auth_filters)
    workers = os.environ.get("SWC_CLUSTER_PROXY_WORKERS", "1")
    conf = common(port, name).replace("workers = 1", "workers = " + workers)
    # The benchmark counts requests from the proxies' access log lines, sent
    # to it over UDP syslog.
    udp = os.environ.get("SWC_CLUSTER_PROXY_LOG_UDP")
    if udp:
        conf += "log_udp_host = %s\nlog_udp_port = %s\n" % (HOST, udp)
    return conf + """
[pipeline:main]
pipeline = %(pipeline)s

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

%(auth)s
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:cache]
use = egg:swift#memcache
memcache_servers = %(host)s:%(mc)d
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
allowed_digests = sha1 sha256 sha512
[filter:formpost]
use = egg:swift#formpost
allowed_digests = sha1 sha256 sha512
[filter:ratelimit]
use = egg:swift#ratelimit
[filter:staticweb]
use = egg:swift#staticweb
[filter:copy]
use = egg:swift#copy
[filter:container-quotas]
use = egg:swift#container_quotas
[filter:account-quotas]
use = egg:swift#account_quotas
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_versioned_writes = true
allow_object_versioning = true
[filter:symlink]
use = egg:swift#symlink
""" % {"pipeline": pipeline, "auth": auth_sections, "host": HOST, "mc": PORTS["memcached"]}


def write_configs():
    write(os.path.join(ETC, "swift.conf"), """[swift-hash]
swift_hash_path_suffix = swcsuffix
swift_hash_path_prefix = swcprefix

[storage-policy:0]
name = gold
default = yes

[storage-policy:1]
name = silver
""")
    write(os.path.join(ETC, "account-server.conf"), common(PORTS["account"], "account-server") + """
[pipeline:main]
pipeline = account-server
[app:account-server]
use = egg:swift#account
[account-replicator]
[account-auditor]
[account-reaper]
""")
    write(os.path.join(ETC, "container-server.conf"), common(PORTS["container"], "container-server") + """
[pipeline:main]
pipeline = container-server
[app:container-server]
use = egg:swift#container
allow_versions = true
[container-replicator]
[container-updater]
# Account-level object counts and bytes may lag by this much (no test waits
# on them); every sweep forks, so not every 2 s.
interval = 10
containers_per_second = 1000
[container-auditor]
[container-sync]
""")
    write(os.path.join(ETC, "object-server.conf"), common(PORTS["object"], "object-server") + """
[pipeline:main]
pipeline = object-server
[app:object-server]
use = egg:swift#object
[object-replicator]
[object-updater]
interval = 2
[object-auditor]
[object-expirer]
interval = 2
internal_client_conf_path = %s
""" % os.path.join(ETC, "internal-client.conf"))
    write(os.path.join(ETC, "internal-client.conf"), """[DEFAULT]
swift_dir = %s
user = %s
[pipeline:main]
pipeline = catch_errors proxy-logging cache symlink proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:cache]
use = egg:swift#memcache
memcache_servers = %s:%d
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:symlink]
use = egg:swift#symlink
""" % (ETC, user(), HOST, PORTS["memcached"]))
    tempauth = "[filter:tempauth]\nuse = egg:swift#tempauth\n" + "".join(
        "%s = %s\n" % kv for kv in TEMPAUTH_USERS.items())
    tempauth += "token_life = %s\n" % os.environ.get("SWC_CLUSTER_TOKEN_LIFE", "86400")
    write(os.path.join(ETC, "proxy-server.conf"),
          proxy_conf(PORTS["proxy"], "tempauth", tempauth, "proxy-tempauth"))
    tls_conf = proxy_conf(PORTS["tls_proxy"], "tempauth", tempauth + "storage_url_scheme = https\n", "proxy-tls")
    tls_conf = tls_conf.replace("[DEFAULT]\n", "[DEFAULT]\ncert_file = %s\nkey_file = %s\n" % (
        os.path.join(TLS, "server.pem"), os.path.join(TLS, "server.key")), 1)
    write(os.path.join(ETC, "proxy-tls.conf"), tls_conf)
    ks = """[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = http://%(h)s:%(k)d/v3
auth_url = http://%(h)s:%(k)d
auth_type = password
project_domain_id = default
user_domain_id = default
project_name = service
username = swift
password = swiftpass
delay_auth_decision = true
cache = swift.cache
include_service_catalog = false
[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member, swiftoperator
reseller_admin_role = ResellerAdmin
""" % {"h": HOST, "k": PORTS["keystone"]}
    write(os.path.join(ETC, "proxy-keystone.conf"),
          proxy_conf(PORTS["ks_proxy"], "authtoken keystoneauth", ks, "proxy-keystone"))
    write(os.path.join(KS, "keystone.conf"), """[DEFAULT]
use_stderr = true
[database]
connection = sqlite:///%(ks)s/keystone.db
[token]
provider = fernet
expiration = %(exp)s
[fernet_tokens]
key_repository = %(ks)s/fernet-keys
[fernet_receipts]
key_repository = %(ks)s/fernet-keys
[credential]
key_repository = %(ks)s/credential-keys
[cache]
enabled = true
backend = dogpile.cache.memory
[identity]
password_hash_rounds = 4
""" % {"ks": KS, "exp": os.environ.get("SWC_CLUSTER_KEYSTONE_TOKEN_LIFE", "3600")})


# ---------------------------------------------------------------- keystone

def ks_env():
    env = dict(os.environ)
    env["OS_KEYSTONE_CONFIG_FILES"] = os.path.join(KS, "keystone.conf")
    return env


def ks_bootstrap_db():
    if os.path.exists(os.path.join(KS, "keystone.db")):
        return
    manage = [os.path.join(os.path.dirname(PY), "keystone-manage"),
              "--config-file", os.path.join(KS, "keystone.conf")]
    for key_repo in ("fernet-keys", "credential-keys"):
        os.makedirs(os.path.join(KS, key_repo), mode=0o700, exist_ok=True)
    u = user()
    for args in (["db_sync"],
                 ["fernet_setup", "--keystone-user", u, "--keystone-group", u],
                 ["credential_setup", "--keystone-user", u, "--keystone-group", u],
                 ["bootstrap", "--bootstrap-password", ADMIN_PASSWORD,
                  "--bootstrap-admin-url", "http://%s:%d/v3/" % (HOST, PORTS["keystone"]),
                  "--bootstrap-public-url", "http://%s:%d/v3/" % (HOST, PORTS["keystone"]),
                  "--bootstrap-internal-url", "http://%s:%d/v3/" % (HOST, PORTS["keystone"]),
                  "--bootstrap-region-id", "RegionOne"]):
        r = subprocess.run(manage + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            try:
                os.unlink(os.path.join(KS, "keystone.db"))
            except OSError:
                pass
            raise SystemExit("cluster: keystone-manage %s failed:\n%s"
                             % (args[0], r.stdout.decode(errors="replace")[-3000:]))


class Keystone:
    def __init__(self):
        self.url = "http://%s:%d/v3" % (HOST, PORTS["keystone"])
        self.token = None

    def call(self, method, path, body=None, token=None, ok=(200, 201, 204)):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token or self.token:
            req.add_header("X-Auth-Token", token or self.token)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, dict(r.headers), (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            if e.code in ok:
                return e.code, dict(e.headers), None
            raise SystemExit("cluster: keystone %s %s -> %d %s" % (method, path, e.code, e.read()[:500]))

    def login(self, user, password, project, domain="default"):
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"id": domain}, "password": password}}},
            "scope": {"project": {"name": project, "domain": {"id": domain}}}}}
        _, h, _ = self.call("POST", "/auth/tokens", body, token="-")
        return h["X-Subject-Token"]

    def find(self, kind, name, extra=""):
        _, _, b = self.call("GET", "/%s?name=%s%s" % (kind, name, extra))
        items = b[kind]
        return items[0]["id"] if items else None

    def ensure(self, kind, name, body, extra=""):
        found = self.find(kind, name, extra)
        if found:
            return found
        singular = kind[:-1]
        _, _, b = self.call("POST", "/" + kind, {singular: body})
        return b[singular]["id"]


def ks_service_user(k):
    """The service identity for X-Service-Token tests: user swc-svc with the
    role `service` on the project `service`. Idempotent (ensure, and a role
    PUT that may repeat)."""
    role = k.ensure("roles", "service", {"name": "service"})
    proj = k.ensure("projects", "service", {"name": "service", "domain_id": "default"}, "&domain_id=default")
    svc = k.ensure("users", "swc-svc", {"name": "swc-svc", "password": SERVICE_PASSWORD,
                                        "domain_id": "default", "enabled": True}, "&domain_id=default")
    k.call("PUT", "/projects/%s/users/%s/roles/%s" % (proj, svc, role))
    return {"svc_user_id": svc, "svc_project_id": proj}


def ks_provision():
    out = os.path.join(KS, "resources.json")
    if os.path.exists(out):
        with open(out) as f:
            res = json.load(f)
        if "svc_user_id" not in res:
            # Made before the service user existed: add it.
            k = Keystone()
            k.token = k.login("admin", ADMIN_PASSWORD, "admin")
            res.update(ks_service_user(k))
            write(out, json.dumps(res, indent=1))
        return res
    k = Keystone()
    k.token = k.login("admin", ADMIN_PASSWORD, "admin")
    roles = {r: k.ensure("roles", r, {"name": r}) for r in
             ("admin", "member", "reader", "swiftoperator", "ResellerAdmin")}
    for region in ("RegionTwo", "RegionThree"):
        k.call("POST", "/regions", {"region": {"id": region}}, ok=(409,))
    swcdom = k.ensure("domains", "swcdom", {"name": "swcdom", "enabled": True})
    service_proj = k.ensure("projects", "service", {"name": "service", "domain_id": "default"}, "&domain_id=default")
    demo_proj = k.ensure("projects", "demo", {"name": "demo", "domain_id": "default"}, "&domain_id=default")
    alt_proj = k.ensure("projects", "altproj", {"name": "altproj", "domain_id": swcdom}, "&domain_id=" + swcdom)

    def user(name, password, domain):
        return k.ensure("users", name, {"name": name, "password": password, "domain_id": domain,
                                       "enabled": True}, "&domain_id=" + domain)

    swift_user = user("swift", "swiftpass", "default")
    demo_user = user("demo", "demopass", "default")
    alt_user = user("alt", "altpass", swcdom)
    k.call("PUT", "/projects/%s/users/%s/roles/%s" % (service_proj, swift_user, roles["admin"]))
    k.call("PUT", "/projects/%s/users/%s/roles/%s" % (demo_proj, demo_user, roles["member"]))
    k.call("PUT", "/projects/%s/users/%s/roles/%s" % (alt_proj, alt_user, roles["member"]))
    k.call("PUT", "/domains/%s/users/%s/roles/%s" % (swcdom, alt_user, roles["member"]))

    def endpoints(service, rows):
        for region, iface, url in rows:
            k.call("POST", "/endpoints", {"endpoint": {"service_id": service, "interface": iface,
                                                       "region_id": region, "url": url, "enabled": True}})

    tmpl = "http://%s:%%d/v1/AUTH_%%%%(project_id)s" % HOST
    swift_svc = k.ensure("services", "swift", {"name": "swift", "type": "object-store", "enabled": True})
    endpoints(swift_svc, [
        ("RegionOne", "public", tmpl % PORTS["ks_proxy"]),
        ("RegionOne", "internal", tmpl % DECOY["internal"]),
        ("RegionOne", "admin", tmpl % DECOY["admin"]),
        ("RegionTwo", "public", tmpl % DECOY["region_two"]),
    ])
    archive_svc = k.ensure("services", "swift-archive",
                           {"name": "swift-archive", "type": "object-store", "enabled": True})
    endpoints(archive_svc, [("RegionThree", "public", tmpl % DECOY["archive"])])

    demo_token = k.login("demo", "demopass", "demo")
    _, _, b = k.call("POST", "/users/%s/application_credentials" % demo_user,
                     {"application_credential": {"name": "swc-appcred", "secret": "appcredsecret"}},
                     token=demo_token)
    res = {
        "demo_user_id": demo_user, "demo_project_id": demo_proj, "alt_user_id": alt_user,
        "alt_project_id": alt_proj, "swcdom_id": swcdom,
        "appcred_id": b["application_credential"]["id"],
    }
    res.update(ks_service_user(k))
    write(out, json.dumps(res, indent=1))
    return res


# ---------------------------------------------------------------- commands

DAEMONS = ["memcached", "account", "container", "object", "container-updater", "object-updater",
           "object-expirer", "keystone", "proxy", "ks-proxy", "tls-proxy"]


def swift_daemon(module, conf):
    return [PY, os.path.join(SCRIPTS, "swift_launch.py"), os.path.join(ETC, "swift.conf"),
            module, os.path.join(ETC, conf), "-v"]


def argv_for(name):
    if name == "memcached":
        argv = ["memcached", "-l", HOST, "-p", str(PORTS["memcached"]), "-U", "0", "-m", "64"]
        if os.getuid() == 0:
            argv[1:1] = ["-u", "nobody"]
        return argv
    if name == "keystone":
        gunicorn = os.path.join(os.path.dirname(PY), "gunicorn")
        return [PY, gunicorn, "--bind", "%s:%d" % (HOST, PORTS["keystone"]), "--workers", "1",
                "--no-control-socket", "--chdir", SCRIPTS, "--timeout", "120", "keystone_wsgi:application"]
    return {
        "account": swift_daemon("swift.account.server", "account-server.conf"),
        "container": swift_daemon("swift.container.server", "container-server.conf"),
        "object": swift_daemon("swift.obj.server", "object-server.conf"),
        "container-updater": swift_daemon("swift.container.updater", "container-server.conf"),
        "object-updater": swift_daemon("swift.obj.updater", "object-server.conf"),
        "object-expirer": swift_daemon("swift.obj.expirer", "object-server.conf"),
        "proxy": swift_daemon("swift.proxy.server", "proxy-server.conf"),
        "ks-proxy": swift_daemon("swift.proxy.server", "proxy-keystone.conf"),
        "tls-proxy": swift_daemon("swift.proxy.server", "proxy-tls.conf"),
    }[name]


def info():
    res = {}
    try:
        with open(os.path.join(KS, "resources.json")) as f:
            res = json.load(f)
    except (OSError, ValueError):
        pass
    v = {
        "SWC_TEST_V1_AUTH": "http://%s:%d/auth/v1.0" % (HOST, PORTS["proxy"]),
        "SWC_TEST_PROXY_URL": "http://%s:%d" % (HOST, PORTS["proxy"]),
        "SWC_TEST_KS_PROXY_URL": "http://%s:%d" % (HOST, PORTS["ks_proxy"]),
        "SWC_TEST_KEYSTONE_URL": "http://%s:%d/v3" % (HOST, PORTS["keystone"]),
        "SWC_TEST_DECOY_INTERNAL_PORT": str(DECOY["internal"]),
        "SWC_TEST_DECOY_ADMIN_PORT": str(DECOY["admin"]),
        "SWC_TEST_DECOY_REGION_TWO_PORT": str(DECOY["region_two"]),
        "SWC_TEST_DECOY_ARCHIVE_PORT": str(DECOY["archive"]),
        "SWC_TEST_SWIFT_BIN": os.path.join(os.path.dirname(PY), "swift"),
        "SWC_TEST_MEMCACHED": "%s:%d" % (HOST, PORTS["memcached"]),
        "SWC_TEST_PYTHON": PY,
        "SWC_TEST_DEVICES": SRV,
        "SWC_TEST_TLS_AUTH": "https://%s:%d/auth/v1.0" % (HOST, PORTS["tls_proxy"]),
        "SWC_TEST_TLS_CA": os.path.join(TLS, "ca.pem"),
        "SWC_TEST_TLS_OTHER_CA": os.path.join(TLS, "other-ca.pem"),
        "SWC_TEST_TLS_CLIENT_CERT": os.path.join(TLS, "client.pem"),
        "SWC_TEST_TLS_CLIENT_KEY": os.path.join(TLS, "client.key"),
    }
    for key, val in res.items():
        v["SWC_TEST_KS_" + key.upper()] = val
    return v


def up():
    t0 = time.time()
    for d in (ETC, RUN, LOGS, KS, os.path.join(STATE, "recon")):
        os.makedirs(d, exist_ok=True)
    if all(alive(n) for n in DAEMONS) and http_ok(info()["SWC_TEST_PROXY_URL"] + "/healthcheck"):
        # Resources added to the bootstrap since it ran are made now.
        ks_provision()
        write(os.path.join(STATE, "cluster.env"),
              "".join("export %s=%s\n" % (k, v) for k, v in sorted(info().items())))
        log("already up")
        return
    mount_tmpfs()
    os.makedirs(os.path.join(SRV, "sdb1"), exist_ok=True)
    make_tls()
    write_configs()
    build_rings()
    ks_bootstrap_db()
    port_of = {"memcached": PORTS["memcached"], "account": PORTS["account"], "container": PORTS["container"],
               "object": PORTS["object"], "keystone": PORTS["keystone"], "proxy": PORTS["proxy"],
               "ks-proxy": PORTS["ks_proxy"], "tls-proxy": PORTS["tls_proxy"]}
    for name, port in port_of.items():
        if not alive(name) and port_open(port):
            raise SystemExit("cluster: port %d (for %s) is in use by a process this cluster did not start; "
                             "stop it or choose other ports with SWC_CLUSTER_PORT_BASE" % (port, name))
    started = []
    for name in DAEMONS:
        env = ks_env() if name == "keystone" else None
        if start(name, argv_for(name), env):
            started.append(name)
    wait_for("memcached", lambda: port_open(PORTS["memcached"]), ["memcached"])
    for n in ("account", "container", "object"):
        wait_for(n + " server", lambda n=n: port_open(PORTS[n]), [n])
    wait_for("keystone", lambda: http_ok("http://%s:%d/v3" % (HOST, PORTS["keystone"])), ["keystone"], 90)
    ks_provision()
    wait_for("tempauth proxy", lambda: http_ok(info()["SWC_TEST_PROXY_URL"] + "/healthcheck"), ["proxy"])
    wait_for("keystone proxy", lambda: http_ok(info()["SWC_TEST_KS_PROXY_URL"] + "/healthcheck"), ["ks-proxy"])
    wait_for("TLS proxy", lambda: https_ok("https://%s:%d/healthcheck" % (HOST, PORTS["tls_proxy"])), ["tls-proxy"])
    write(os.path.join(STATE, "cluster.env"),
          "".join("export %s=%s\n" % (k, v) for k, v in sorted(info().items())))
    log("up in %.1fs (started: %s); state in %s" % (time.time() - t0, " ".join(started) or "none", STATE))


def down():
    t0 = time.time()
    for name in reversed(DAEMONS):
        stop(name)
    log("down in %.1fs" % (time.time() - t0))


def status():
    bad = 0
    for name in DAEMONS:
        pid = alive(name)
        print("%-18s %s" % (name, "running (pid %d)" % pid if pid else "stopped"))
        bad += not pid
    return 1 if bad else 0


def destroy():
    import shutil
    down()
    with open("/proc/mounts") as f:
        if any(line.split()[1] == SRV for line in f):
            subprocess.run(["umount", SRV])
    for d in (ETC, SRV, RUN, LOGS, KS, TLS, os.path.join(STATE, "recon"), os.path.join(STATE, "cluster.env")):
        if os.path.isdir(d):
            shutil.rmtree(d, ignore_errors=True)
        elif os.path.exists(d):
            os.unlink(d)


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
    elif cmd == "stop" and all(n in DAEMONS for n in sys.argv[2:]):
        for name in sys.argv[2:]:
            stop(name)
    elif cmd == "pids":
        # Every process of the cluster's daemons (each runs in its own
        # session), for measuring the servers' CPU time.
        for name in DAEMONS:
            pid = alive(name)
            if pid:
                print("%s %d" % (name, pid))
    else:
        raise SystemExit("usage: cluster.py up|down|status|env|destroy|stop DAEMON...|pids")


if __name__ == "__main__":
    main()
