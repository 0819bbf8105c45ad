"""Temp URL vectors from python-swiftclient itself, for tests/tempurl.rs.

Prints one JSON object per line: the request, the fixed "now", and what
python-swiftclient's generate_temp_url returns for it (or null when it
raises ValueError). Full URLs are handled as `swift tempurl` does.
"""
import json
import random
import sys
import time
from urllib.parse import urlparse

from swiftclient import utils

NOW = 1_790_000_000.75
utils.time.time = lambda: NOW

rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
paths = [
    "/v1/AUTH_test/c/o", "/v1/AUTH_test/cont/dir/sub/obj.txt", "/v1/AUTH_ü/contäiner/ëmoji-\U0001F600",
    "/v1/AUTH_a/c/ space and %20 ", "/v1/AUTH_a/c/", "/v1/AUTH_a/c/pre", "/v1/AUTH_a/c", "/info",
    "v1/AUTH_a/c/o", "/v1//c/o", "/v1/AUTH_a/c/日本語/ファイル", "/v2/AUTH_a/c/o/more/parts",
    # A query or fragment: `swift tempurl` signs and prints the path without it.
    "/v1/AUTH_a/c/o?x=1", "/v1/AUTH_a/c/o?", "/v1/AUTH_a/c/o#frag", "/v1/AUTH_a/c/pre?a=b#c",
    "/v1/AUTH_a/c/o;v=1", "/v1/AUTH_a/c;x/o", "/v1/AUTH_a/c/o#f?g",
]
urls = ["https://swift.example.com:8443", "http://127.0.0.1:8080", ""]
seconds = [
    "60", "3600", "0", "86400", "1e3", " 42 ", "1_000", "12.0", "-5", "1.5", "abc", "10s", "5m", "2min",
    "3h", "1hr", "2d", "1.5m", "0.5h", "10x", "2026-12-31T23:59:59Z", "2026-01-01T00:00:00",
    "2027-06-15", "2026-02-30", "2026-1-2T3:4:5Z", "1790000000", "1790003600",
]
methods = ["GET", "put", "HEAD", "DELETE", "POST", "patch"]
keys = ["secret", "sëcrét-ünicode", "k" * 80, "a b\tc"]
ips = [None, "127.0.0.1", "10.0.0.0/24", "2001:db8::/32"]
digests = ["sha1", "sha256", "sha512", "md5"]

n = int(sys.argv[2]) if len(sys.argv) > 2 else 400
for _ in range(n):
    req = {
        "path": rng.choice(urls) + rng.choice(paths),
        "seconds": rng.choice(seconds),
        "key": rng.choice(keys),
        "method": rng.choice(methods),
        "absolute": rng.random() < 0.3,
        "prefix": rng.random() < 0.3,
        "iso8601": rng.random() < 0.3,
        "ip_range": rng.choice(ips),
        "digest": rng.choice(digests),
    }
    parsed = urlparse(req["path"])
    try:
        out = utils.generate_temp_url(
            parsed.path, req["seconds"], req["key"], req["method"], absolute=req["absolute"],
            prefix=req["prefix"], iso8601=req["iso8601"], ip_range=req["ip_range"], digest=req["digest"])
        if parsed.scheme and parsed.netloc:
            out = "%s://%s%s" % (parsed.scheme, parsed.netloc, out)
    except ValueError:
        out = None
    print(json.dumps({"req": req, "now": NOW, "expected": out}))
