#!/usr/bin/env bash
# Builds the Debian packages from debian/ with dpkg-buildpackage (binary
# only, unsigned; -d: cargo and rustc come from rustup, not from Debian),
# checks what each package holds, and links the C example against the
# -dev package's files and the library package's .so, unpacked into a
# directory (dpkg -x). With SWC_TEST_DEB_INSTALL=1 (a throw-away CI
# machine) it also installs them with dpkg -i and links with pkg-config
# as a user would, then removes them.
#
#   tests/install/deb.sh       (after `make`: the release build is reused)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
fail() { echo "deb test: $*" >&2; exit 1; }
command -v dh >/dev/null || fail "debhelper is needed (scripts/test installs it)"
ver=$(dpkg-parsechangelog -S Version)
# debian/changelog and the library package's name follow Cargo.toml's
# version and the SONAME (libswiftclient.so.0.1: libswiftclient0.1).
cargo_ver=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ "${ver%%-*}" = "$cargo_ver" ] || fail "debian/changelog says $ver, Cargo.toml $cargo_ver: add a changelog entry"
major=${cargo_ver%%.*}
if [ "$major" = 0 ]; then abi=${cargo_ver%.*}; else abi=$major; fi
grep -q "^Package: libswiftclient$abi\$" debian/control || fail "debian/control has no package libswiftclient$abi (the SONAME's)"
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
log=$out/build.log
dpkg-buildpackage -b -d -uc -us >"$log" 2>&1 || { tail -40 "$log" >&2; fail "dpkg-buildpackage failed"; }
# dpkg-buildpackage writes next to the source tree: move what it made.
parent=$(dirname "$ROOT")
for f in "$parent"/libswiftclient*_"${ver}"_"$arch".* "$parent"/swc*_"${ver}"_"$arch".deb \
         "$parent"/libswiftclient_"${ver}"_"$arch".{changes,buildinfo}; do
  [ -e "$f" ] && mv "$f" "$out/"
done
rm -rf debian/.debhelper debian/tmp debian/files debian/*.substvars debian/*.debhelper.log \
       debian/libswiftclient0.1 debian/libswiftclient-dev debian/swc debian/*-dbgsym debian/debhelper-build-stamp
lib=libswiftclient0.1_${ver}_$arch.deb
dev=libswiftclient-dev_${ver}_$arch.deb
swc=swc_${ver}_$arch.deb
for d in "$lib" "$dev" "$swc"; do [ -f "$out/$d" ] || fail "no $d"; done
has() { local text; text=$(cat); grep -q "$@" <<<"$text"; }
dpkg-deb -c "$out/$lib" | has " \./usr/lib/$multiarch/libswiftclient.so.0.1 -> libswiftclient.so.$ver" \
  || fail "$lib: no SONAME link"
dpkg-deb -c "$out/$lib" | has "usr/share/doc/libswiftclient0.1/THIRD-PARTY-NOTICES" || fail "$lib: no notices"
for f in usr/include/swiftclient.h "usr/lib/$multiarch/libswiftclient.a" "usr/lib/$multiarch/pkgconfig/swiftclient.pc" \
         "usr/lib/$multiarch/cmake/swiftclient/swiftclientConfig.cmake"; do
  dpkg-deb -c "$out/$dev" | has " \./$f" || fail "$dev: no $f"
done
for f in usr/bin/swc usr/share/man/man1/swc.1.gz usr/share/bash-completion/completions/swc; do
  dpkg-deb -c "$out/$swc" | has " \./$f" || fail "$swc: no $f"
done
dpkg-deb -f "$out/$swc" Depends | has 'libswiftclient0.1' || fail "swc does not depend on libswiftclient0.1"
dpkg-deb -f "$out/$dev" Depends | has "libswiftclient0.1 (= $ver)" || fail "-dev does not depend on the library"

# The C example against the unpacked packages, shared and static.
root=$out/root
dpkg -x "$out/$lib" "$root"
dpkg -x "$out/$dev" "$root"
dpkg -x "$out/$swc" "$root"
libdir=$root/usr/lib/$multiarch
cc -std=c99 -Wall -Werror -I"$root/usr/include" -o "$out/version-shared" tests/install/version_check.c -L"$libdir" -lswiftclient
LD_LIBRARY_PATH=$libdir "$out/version-shared" >/dev/null || fail "the example linked with the packaged .so does not run"
static_libs=$(sed -n 's/^Libs.private: //p' "$libdir/pkgconfig/swiftclient.pc")
# shellcheck disable=SC2086 # a list of -l flags
cc -std=c99 -Wall -Werror -I"$root/usr/include" -o "$out/version-static" tests/install/version_check.c "$libdir/libswiftclient.a" $static_libs
"$out/version-static" >/dev/null || fail "the example linked with the packaged .a does not run"
LD_LIBRARY_PATH=$libdir "$root/usr/bin/swc" --help >/dev/null || fail "the packaged swc does not run"

if [ "${SWC_TEST_DEB_INSTALL:-0}" = 1 ]; then
  dpkg -i "$out/$lib" "$out/$dev" "$out/$swc" >/dev/null
  # shellcheck disable=SC2046
  cc -std=c99 -Wall -Werror -o "$out/version-installed" tests/install/version_check.c $(pkg-config --cflags --libs swiftclient)
  "$out/version-installed" >/dev/null || fail "the example linked with the installed package does not run"
  swc --help >/dev/null || fail "the installed swc does not run"
  dpkg -r swc libswiftclient-dev libswiftclient0.1 >/dev/null
fi
echo "deb test: built $lib, $dev, $swc; the C example links with them (shared and static) and runs"
