#!/usr/bin/env bash
# Installs libswiftclient with `make install` into a prefix and builds the C
# example with nothing but pkg-config, once against the shared library and
# once statically, then runs both against the local cluster.
#
#   tests/install/run.sh PREFIX     (the cluster's env must be sourced)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=${1:?usage: tests/install/run.sh PREFIX}
: "${SWC_TEST_V1_AUTH:?source .cluster/cluster.env first}"
cd "$ROOT"
fail() { echo "install test: $*" >&2; exit 1; }
# `cmd | grep -q` under pipefail fails when grep stops reading before cmd
# has written everything (SIGPIPE): read it all, then search.
has() { local text; text=$(cat); grep -q "$@" <<<"$text"; }

rm -rf "$PREFIX"
# Built for this prefix: swc is linked for its libdir (make install for
# another libdir links it again, as the DESTDIR install below does).
make --no-print-directory PREFIX="$PREFIX" >/dev/null
# As `sudo make install` runs it: root's PATH, no cargo. It must install
# what `make` built without rebuilding.
env PATH=/usr/sbin:/usr/bin:/sbin:/bin make --no-print-directory install PREFIX="$PREFIX" >/dev/null \
  || fail "make install needs to rebuild (or failed) without cargo on PATH"
lib=$PREFIX/lib
ver=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
major=${ver%%.*}
# The SONAME carries the minor version while the API is 0.x (README, "ABI").
if [ "$major" = 0 ]; then abi=${ver%.*}; else abi=$major; fi
for f in "$PREFIX/include/swiftclient.h" "$lib/libswiftclient.so.$ver" "$lib/libswiftclient.a" \
         "$lib/pkgconfig/swiftclient.pc" "$lib/.debug/libswiftclient.so.$ver.debug" \
         "$PREFIX/share/doc/libswiftclient/LICENSE" "$PREFIX/share/doc/libswiftclient/THIRD-PARTY-NOTICES"; do
  [ -f "$f" ] || fail "missing $f"
done
[ "$(readlink "$lib/libswiftclient.so.$abi")" = "libswiftclient.so.$ver" ] || fail "bad SONAME link"
[ "$(readlink "$lib/libswiftclient.so")" = "libswiftclient.so.$abi" ] || fail "bad dev link"
readelf -d "$lib/libswiftclient.so.$ver" | has "Library soname: \[libswiftclient.so.$abi\]" \
  || fail "no SONAME libswiftclient.so.$abi"
readelf -S "$lib/libswiftclient.so.$ver" | has '\.gnu_debuglink' || fail "no .gnu_debuglink"
if readelf -S "$lib/libswiftclient.so.$ver" | has '\.debug_info'; then fail "shared library is not stripped"; fi
bad=$(nm -D --defined-only "$lib/libswiftclient.so.$ver" | awk '$2 ~ /^[TDBR]$/ && $3 !~ /^swc_/ { print $3 }')
[ -z "$bad" ] || fail "exports outside swc_*: $bad"
if ldd "$lib/libswiftclient.so.$ver" | has -E 'libssl|libcrypto'; then fail "links OpenSSL"; fi
# The ABI list (abi/swiftclient.symbols) is what both libraries define:
# the .so's dynamic symbols are versioned (version node SWC_<abi>, from a
# linker version script), and the archive's only globals are swc_* (the
# rest of Rust's std and the crates localised, so they cannot collide with
# another Rust library or the program's own symbols).
abi_list=$(grep -v '^#' abi/swiftclient.symbols | grep . | sort)
versioned=$(readelf --dyn-syms -W "$lib/libswiftclient.so.$ver" | awk '$7 != "UND" && $8 ~ /^swc_/ { print $8 }' | sort)
want=$(sed "s/\$/@@SWC_$abi/" <<<"$abi_list" | sort)
[ "$versioned" = "$want" ] \
  || fail "the .so's swc_* symbols are not exactly the ABI list, each versioned SWC_$abi: $(diff <(echo "$versioned") <(echo "$want") | head -5)"
globals=$(nm -g --defined-only "$lib/libswiftclient.a" | awk 'NF == 3 { print $3 }' | sort)
[ "$globals" = "$abi_list" ] \
  || fail "libswiftclient.a defines other globals than the ABI list: $(comm -23 <(echo "$globals") <(echo "$abi_list") | head -5)"
# swc: the binary, its man page and completions (no cluster needed).
tests/install/swc.sh "$PREFIX"

# GNU's lower-case variables, a multiarch libdir and DESTDIR, as a
# distribution package builds it; uninstall then leaves no file behind.
dest=$(mktemp -d)
gnu=(prefix=/usr libdir=/usr/lib/x86_64-linux-gnu DESTDIR="$dest")
make --no-print-directory install "${gnu[@]}" >/dev/null
for f in usr/include/swiftclient.h usr/lib/x86_64-linux-gnu/libswiftclient.so.$ver \
         usr/lib/x86_64-linux-gnu/pkgconfig/swiftclient.pc \
         usr/lib/x86_64-linux-gnu/cmake/swiftclient/swiftclientConfig.cmake \
         usr/bin/swc usr/share/man/man1/swc.1 usr/share/bash-completion/completions/swc \
         usr/share/zsh/site-functions/_swc usr/share/doc/libswiftclient/THIRD-PARTY-NOTICES; do
  [ -e "$dest/$f" ] || fail "lower-case variables: missing $f"
done
# A system libdir: swc linked again for it, without a RUNPATH.
if readelf -d "$dest/usr/bin/swc" | has -E 'RPATH|RUNPATH'; then fail "swc for /usr has a RUNPATH"; fi
# bindir= and mandir= move swc and its man page.
make --no-print-directory install prefix=/opt/x bindir=/opt/x/sbin mandir=/opt/x/man DESTDIR="$dest" >/dev/null
for f in opt/x/sbin/swc opt/x/man/man1/swc.1; do
  [ -e "$dest/$f" ] || fail "bindir=/mandir=: missing $f"
done
make --no-print-directory uninstall prefix=/opt/x bindir=/opt/x/sbin mandir=/opt/x/man DESTDIR="$dest" >/dev/null
has '^libdir=/usr/lib/x86_64-linux-gnu$' <"$dest/usr/lib/x86_64-linux-gnu/pkgconfig/swiftclient.pc" \
  || fail "the .pc file does not name the multiarch libdir"
make --no-print-directory uninstall "${gnu[@]}" >/dev/null
left=$(find "$dest" ! -type d)
[ -z "$left" ] || fail "uninstall left: $left"
rm -rf "$dest"

export PKG_CONFIG_PATH=$lib/pkgconfig
[ "$(pkg-config --modversion swiftclient)" = "$ver" ] || fail "pkg-config version"
pkg-config --static --libs swiftclient | has -- '-lpthread' || fail "Libs.private lacks the native static libs"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cflags=(-std=c99 -Wall -Wextra -Wpedantic -Werror)
# Dynamic: exactly the command a user types.
# shellcheck disable=SC2046
cc "${cflags[@]}" -o "$work/sync-dynamic" examples-c/swc_sync.c $(pkg-config --cflags --libs swiftclient)
# shellcheck disable=SC2046
cc "${cflags[@]}" -o "$work/version-dynamic" tests/install/version_check.c $(pkg-config --cflags --libs swiftclient)
# Static: the archive plus what Libs.private lists.
static=(-Wl,-Bstatic $(pkg-config --libs-only-l swiftclient) -Wl,-Bdynamic $(pkg-config --static --libs-only-l swiftclient | sed 's/-lswiftclient//'))
# shellcheck disable=SC2046
cc "${cflags[@]}" -o "$work/sync-static" examples-c/swc_sync.c $(pkg-config --cflags --libs-only-L swiftclient) "${static[@]}"
# shellcheck disable=SC2046
cc "${cflags[@]}" -o "$work/version-static" tests/install/version_check.c $(pkg-config --cflags --libs-only-L swiftclient) "${static[@]}"

LD_LIBRARY_PATH=$lib ldd "$work/sync-dynamic" | has "libswiftclient.so.$abi => $lib/" \
  || fail "dynamic build does not load $lib/libswiftclient.so.$abi"
if ldd "$work/sync-static" | has libswiftclient; then fail "static build still needs libswiftclient.so"; fi

LD_LIBRARY_PATH=$lib "$work/version-dynamic"
"$work/version-static"

# CMake: find_package from the prefix, a C++ program linked both ways.
command -v cmake >/dev/null || fail "cmake is needed (scripts/test installs it)"
mkdir -p "$work/cmake"
cp tests/install/version_check.c "$work/cmake/main.cpp"
minor=${ver#*.}; minor=${minor%%.*}
cat >"$work/cmake/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.13)
project(swc_version_check CXX)
find_package(swiftclient $major.$minor REQUIRED)
add_executable(version-shared main.cpp)
target_link_libraries(version-shared PRIVATE swiftclient::swiftclient)
add_executable(version-static main.cpp)
target_link_libraries(version-static PRIVATE swiftclient::swiftclient_static)
EOF
cmake -S "$work/cmake" -B "$work/cmake/build" -DCMAKE_PREFIX_PATH="$PREFIX" >"$work/cmake.log" 2>&1 \
  || { cat "$work/cmake.log" >&2; fail "cmake could not configure against the installed package"; }
cmake --build "$work/cmake/build" >>"$work/cmake.log" 2>&1 \
  || { cat "$work/cmake.log" >&2; fail "cmake build failed"; }
"$work/cmake/build/version-shared" >/dev/null || fail "cmake shared build does not run"
"$work/cmake/build/version-static" >/dev/null || fail "cmake static build does not run"
ldd "$work/cmake/build/version-shared" | has "libswiftclient.so.$abi => $lib/" || fail "cmake shared build does not load $lib"
if ldd "$work/cmake/build/version-static" | has libswiftclient; then fail "cmake static build needs the .so"; fi
# The ABI rule: while 0.x, 0.(minor+1) is another ABI and must not be found.
sed -i "s/find_package(swiftclient $major.$minor REQUIRED)/find_package(swiftclient $major.$((minor + 1)) REQUIRED)/" "$work/cmake/CMakeLists.txt"
if cmake -S "$work/cmake" -B "$work/cmake/other" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null 2>&1; then
  fail "find_package accepted $major.$((minor + 1)) for $ver"
fi
echo "install test: CMake find_package builds (shared and static) run; $major.$((minor + 1)) refused"

# No executable stack, linked either way (an assembly object without
# .note.GNU-stack gives one to every program that links it).
# The Go example, linked with the static archive (libc and the rest
# dynamic, as Go's cgo links by default): a .pc naming the archive itself.
if command -v go >/dev/null; then
  mkdir -p "$work/gopc"
  printf 'Name: swiftclient\nDescription: static\nVersion: %s\nCflags: -I%s\nLibs: %s %s\n' \
    "$ver" "$PREFIX/include" "$lib/libswiftclient.a" "$(pkg-config --static --libs-only-l swiftclient | sed 's/-lswiftclient//')" \
    >"$work/gopc/swiftclient.pc"
  (cd bindings/go && PKG_CONFIG_PATH=$work/gopc go build -o "$work/swcgo-static" ./examples/swcgo) \
    || fail "the Go example does not link with libswiftclient.a"
  if ldd "$work/swcgo-static" | has libswiftclient; then fail "static Go build needs the .so"; fi
  gostatic=$work/swcgo-static
fi

for f in "$lib/libswiftclient.so.$ver" "$work/sync-dynamic" "$work/sync-static" ${gostatic:+"$gostatic"}; do
  readelf -lW "$f" | has 'GNU_STACK' || fail "$f: no GNU_STACK header"
  if readelf -lW "$f" | grep 'GNU_STACK' | has 'RWE'; then fail "$f: executable stack"; fi
done
if nm --defined-only "$lib/libswiftclient.a" 2>/dev/null | has -w md5_compress; then
  fail "libswiftclient.a defines md5_compress (the md5 assembly is back)"
fi

mkdir -p "$work/src/sub"
head -c 2500000 /dev/urandom > "$work/src/big.bin"
echo "installed by make install" > "$work/src/sub/note.txt"
export ST_AUTH=$SWC_TEST_V1_AUTH ST_USER=test:tester ST_KEY=testing
for kind in dynamic static; do
  LD_LIBRARY_PATH=$lib "$work/sync-$kind" "install-$kind-$$" "$work/src" "$work/out-$kind" 1M >/dev/null \
    || fail "swc_sync ($kind) failed"
  cmp "$work/src/big.bin" "$work/out-$kind/big.bin" || fail "$kind: big.bin differs"
  cmp "$work/src/sub/note.txt" "$work/out-$kind/sub/note.txt" || fail "$kind: note.txt differs"
  echo "install test: $kind build uploaded and downloaded 2 files, bytes match"
done
if [ -n "${gostatic:-}" ]; then
  "$gostatic" "install-go-$$" "$work/src" "$work/out-go" >/dev/null || fail "static swcgo failed"
  cmp "$work/src/big.bin" "$work/out-go/src/big.bin" || fail "static swcgo: big.bin differs"
  echo "install test: the Go example linked with libswiftclient.a uploaded and downloaded, bytes match"
fi
# The sizes README.md states ("under **N MiB**") hold.
size=$(stat -c %s "$lib/libswiftclient.so.$ver")
asize=$(stat -c %s "$lib/libswiftclient.a")
so_max=$(grep -o 'stripped `libswiftclient.so` is under \*\*[0-9]* MiB\*\*' README.md | tr -dc 0-9)
a_max=$(grep -o '`libswiftclient.a` under \*\*[0-9]* MiB\*\*' README.md | tr -dc 0-9)
[ -n "$so_max" ] && [ -n "$a_max" ] || fail "README.md does not state the libraries' sizes"
[ "$size" -le $((so_max * 1048576)) ] || fail "libswiftclient.so is $size bytes, README.md says under $so_max MiB"
[ "$asize" -le $((a_max * 1048576)) ] || fail "libswiftclient.a is $asize bytes, README.md says under $a_max MiB"
echo "install test: passed (libswiftclient.so.$ver: $size bytes stripped, under ${so_max} MiB as README says;" \
  "libswiftclient.a: $asize bytes, under ${a_max} MiB; SONAME libswiftclient.so.$abi)"
