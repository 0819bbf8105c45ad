package swiftclient_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	swiftclient "github.com/libswiftclient/libswiftclient/bindings/go"
)

// stampedBlock is block with n written at its start: each block of a huge
// stream differs, so a segment out of place would show.
func stampedBlock(block []byte, n uint64) []byte {
	binary.BigEndian.PutUint64(block, n)
	return block
}

// peakRSS is the process's high-water resident set (VmHWM), for the log.
func peakRSS() string {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "?"
}

// More than 5 GiB (Swift's largest single object) through one
// ObjectWriter, then read at its end through an ObjectReader. Minutes of
// work and gigabytes of storage: run with SWC_TEST_GO_HUGE=1 against a
// cluster that can hold them (the local one keeps its objects in a 4 GiB
// tmpfs: its object servers answer 507 past that). SWC_TEST_GO_HUGE_MIB
// sets another size, SWC_TEST_GO_HUGE_SEGMENT_MIB the segment size.
func TestCreateObjectOverFiveGiB(t *testing.T) {
	if os.Getenv("SWC_TEST_GO_HUGE") != "1" {
		t.Skip("set SWC_TEST_GO_HUGE=1 to stream 5 GiB + 1 MiB")
	}
	ctx := context.Background()
	c := newClient(t)
	cont := containerName(t)
	cleanContainer(t, c, cont)
	const block = 1 << 20
	blocks := uint64(5<<10 + 1) // 5 GiB + 1 MiB
	if n, err := strconv.ParseUint(os.Getenv("SWC_TEST_GO_HUGE_MIB"), 10, 64); err == nil && n >= 2 {
		blocks = n
	}
	seg := int64(256)
	if n, err := strconv.ParseInt(os.Getenv("SWC_TEST_GO_HUGE_SEGMENT_MIB"), 10, 64); err == nil && n > 0 {
		seg = n
	}
	buf := randomBytes(t, block)
	start := time.Now()
	w, err := c.CreateObject(ctx, cont, "huge", &swiftclient.CreateOptions{SegmentSize: seg << 20})
	if err != nil {
		t.Fatal(err)
	}
	for i := uint64(0); i < blocks; i++ {
		if _, err := w.Write(stampedBlock(buf, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	up := time.Since(start)
	r, err := c.OpenObject(ctx, cont, "huge", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Size != int64(blocks*block) {
		t.Fatalf("size %d, want %d", r.Size, blocks*block)
	}
	// The last two blocks, read from a Seek into the second-last.
	if _, err := r.Seek(-2*block, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 2*block)
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte(nil), stampedBlock(buf, blocks-2)...), stampedBlock(buf, blocks-1)...)
	if !bytes.Equal(got, want) {
		t.Fatal("the last two blocks differ")
	}
	t.Logf("%d bytes uploaded in %d MiB segments in %v (%.0f MiB/s), peak RSS %s", r.Size, seg,
		up.Round(time.Second), float64(r.Size)/(1<<20)/up.Seconds(), peakRSS())
}
