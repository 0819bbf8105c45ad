#!/usr/bin/env bash
# The test script's own test: a gate that cannot fail is worse than none.
# In a throw-away copy of the tree, one deliberately failing test per stage
# (a Rust test, a C test, a Go test, a failing install script, an
# unformatted file) must each make `scripts/test` exit non-zero, and the
# same runs without the failing test must exit zero, so the failure is the
# canary's and not the copy's.
#
#   tests/gate/run.sh        (the cluster's env must be sourced; the
#                             install stage must have run: the Go check
#                             links against its prefix)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${SWC_TEST_V1_AUTH:?source .cluster/cluster.env first}"
PREFIX=${SWC_TEST_INSTALL_PREFIX:-$ROOT/target/install-test}
fail() { echo "gate check: $*" >&2; exit 1; }

copy=$(mktemp -d "${TMPDIR:-/tmp}/swc-gate.XXXXXX")
trap 'rm -rf "$copy"' EXIT
# The tree as it is now (tracked files, with their uncommitted changes).
(cd "$ROOT" && git ls-files -z | xargs -0 cp --parents -t "$copy")

cat >"$copy/tests/gate_canary.rs" <<'EOF'
#[test]
fn canary_passes() {}

#[test]
fn canary_fails() {
    assert_eq!(1 + 1, 3, "gate canary: a deliberately failing Rust test");
}
EOF
# A C test that compiles and fails at run time (not a build error).
cat >"$copy/tests/c/test_gate_canary.c" <<'EOF'
#include <stdio.h>
#include "swiftclient.h"
int main(void) {
    printf("gate canary (%s): 0 passed, 1 failed\n", swc_version());
    return 1;
}
EOF
cat >>"$copy/tests/c_programs.rs" <<'EOF'

#[test]
fn gate_canary_c() {
    c99_cxx_valgrind("test_gate_canary");
}
EOF
cat >"$copy/bindings/go/gate_canary_test.go" <<'EOF'
package swiftclient

import "testing"

func TestGateCanaryPasses(t *testing.T) {}

func TestGateCanaryFails(t *testing.T) { t.Fatal("gate canary: a deliberately failing Go test") }
EOF

# Runs the copy's scripts/test on the running cluster. Its builds go to a
# target directory of their own: cargo names a path package's artefacts by
# its path relative to the workspace, so a copy building into this tree's
# target/ would leave test binaries that look fresh to the next run here but
# carry the copy's (deleted) source paths.
#
# The dependencies are the same crates built the same way, so the copy's
# target directory starts with this tree's debug build of them (cargo finds
# them fresh and compiles only the copy's own crate): a copy, not links,
# since rustc rewrites what it rebuilds. The package's own targets (its
# library, build script and tests, as `cargo metadata` names them) are left
# out, so nothing of this tree's crate can be taken for the copy's.
seed_target() {
  local from=$ROOT/target/debug to=$ROOT/target/gate/debug own
  [ -d "$from/deps" ] && [ ! -d "$to" ] || return 0
  own=$(cargo metadata --no-deps --format-version 1 --manifest-path "$ROOT/Cargo.toml" | python3 -c '
import json, sys
names = {t["name"] for p in json.load(sys.stdin)["packages"] for t in p["targets"]}
names |= {n.replace("-", "_") for n in names}
print("|".join(sorted(names)))')
  local dir
  for dir in deps .fingerprint build; do
    [ -d "$from/$dir" ] || continue
    mkdir -p "$to/$dir"
    (cd "$from/$dir" && find . -mindepth 1 -maxdepth 1 -printf '%f\0' |
      grep -zEv "^(lib)?($own)-[0-9a-f]{16}([.].*)?\$" |
      xargs -0 -r cp -a --reflink=auto -t "$to/$dir/")
  done
}
seed_target

run() {
  env SWC_TEST_EXTERNAL=1 SWC_TEST_INSTALL_PREFIX="$PREFIX" \
    CARGO_TARGET_DIR="$ROOT/target/gate" TMPDIR="$copy" "$@" \
    "$copy/scripts/test" >"$copy/out.log" 2>&1
}
expect() { # expect pass|fail "what" ENV=...
  local want=$1 what=$2
  shift 2
  if run "$@"; then got=pass; else got=fail; fi
  if [ "$got" != "$want" ]; then
    tail -30 "$copy/out.log" >&2
    fail "$what: scripts/test should $want, it did not"
  fi
  echo "gate check: $what: scripts/test exits $([ "$want" = pass ] && echo zero || echo non-zero), as it must"
}

expect pass "Rust canary passing" SWC_TEST_STAGES=cargo SWC_TEST_CARGO_ARGS="--test gate_canary -- canary_passes"
expect fail "Rust canary failing" SWC_TEST_STAGES=cargo SWC_TEST_CARGO_ARGS="--test gate_canary"
grep -q "a deliberately failing Rust test" "$copy/out.log" || fail "the failing Rust test's message is not shown"
expect fail "C canary failing" SWC_TEST_STAGES=cargo SWC_TEST_CARGO_ARGS="--test c_programs -- gate_canary_c"
expect pass "Go canary passing" SWC_TEST_STAGES=go SWC_TEST_GO_RUN=TestGateCanaryPasses
expect fail "Go canary failing" SWC_TEST_STAGES=go SWC_TEST_GO_RUN=TestGateCanary
grep -q "a deliberately failing Go test" "$copy/out.log" || fail "the failing Go test's message is not shown"
expect pass "fmt clean" SWC_TEST_STAGES=fmt
printf 'fn  badly_formatted ( ) { }\n' >>"$copy/tests/gate_canary.rs"
expect fail "fmt canary" SWC_TEST_STAGES=fmt
printf '#!/bin/sh\necho "gate canary: install fails" >&2\nexit 1\n' >"$copy/tests/install/run.sh"
expect fail "install canary" SWC_TEST_STAGES=install
echo "gate check: every stage fails the run when its test fails"
