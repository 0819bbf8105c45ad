package swiftclient_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	swiftclient "github.com/libswiftclient/libswiftclient/bindings/go"
)

func TestVersionsCompared(t *testing.T) {
	if swiftclient.HeaderVersion != swiftclient.LibraryVersion || swiftclient.Version() != swiftclient.LibraryVersion {
		t.Fatalf("binding for %s, header %s, library %s", swiftclient.LibraryVersion, swiftclient.HeaderVersion,
			swiftclient.Version())
	}
	for _, tc := range []struct {
		header, runtime string
		ok              bool
	}{
		{"0.1.0", "0.1.0", true}, {"0.1.3", "0.1.7", true},
		{"0.1.0", "0.2.0", false}, {"0.1.0", "1.1.0", false}, {"0.2.0", "0.1.0", false}, {"0.1.0", "0.10.0", false},
	} {
		err := swiftclient.CheckVersions("0.1.0", tc.header, tc.runtime)
		if (err == nil) != tc.ok {
			t.Fatalf("header %s, library %s: %v", tc.header, tc.runtime, err)
		}
		if err != nil && !errors.Is(err, swiftclient.ErrUnsupported) {
			t.Fatalf("not ErrUnsupported: %v", err)
		}
	}
}

// The library found at run time is another release line: every New*
// fails, naming both versions. A preloaded swc_version() stands in for
// the other library; the test binary runs itself under it.
func TestNewRefusesAnotherLibraryVersion(t *testing.T) {
	if os.Getenv("SWC_GO_VERSION_CHILD") == "1" {
		_, err := swiftclient.New(nil)
		if err == nil {
			os.Exit(3)
		}
		_, err2 := swiftclient.NewWithConfig(swiftclient.Config{})
		if err2 == nil || !errors.Is(err, swiftclient.ErrUnsupported) {
			os.Exit(4)
		}
		os.Stdout.WriteString("ERR: " + err.Error() + "\n")
		os.Exit(0)
	}
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "v.c")
	so := filepath.Join(dir, "libv.so")
	if err := os.WriteFile(src, []byte(`const char *swc_version(void) { return "0.2.0"; }`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-shared", "-fPIC", "-o", so, src).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNewRefusesAnotherLibraryVersion$")
	cmd.Env = append(os.Environ(), "SWC_GO_VERSION_CHILD=1", "LD_PRELOAD="+so)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "libswiftclient 0.1.0 but the library loaded at run time is 0.2.0") {
		t.Fatalf("child said:\n%s", out)
	}
}
