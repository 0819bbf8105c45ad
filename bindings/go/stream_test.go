package swiftclient_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	swiftclient "github.com/libswiftclient/libswiftclient/bindings/go"
)

const segSize = 256 << 10

// cleanContainer deletes cont and cont_segments (with their objects) when
// the test ends.
func cleanContainer(t *testing.T, c *swiftclient.Client, cont string) {
	t.Cleanup(func() {
		for _, name := range []string{cont, cont + "_segments"} {
			_, _ = c.Delete(context.Background(), swiftclient.DeleteRequest{Container: name}, swiftclient.Handlers{})
		}
	})
}

// create writes data through CreateObject in uneven writes.
func create(t *testing.T, c *swiftclient.Client, cont, name string, data []byte) *swiftclient.Record {
	t.Helper()
	w, err := c.CreateObject(context.Background(), cont, name, &swiftclient.CreateOptions{
		SegmentSize: segSize, ContentType: "application/x-test", Meta: map[string]string{"Color": "green"}})
	if err != nil {
		t.Fatal(err)
	}
	for off, step := 0, 1; off < len(data); step = step*7%100003 + 1 {
		end := off + step
		if end > len(data) {
			end = len(data)
		}
		if n, err := w.Write(data[off:end]); err != nil || n != end-off {
			t.Fatalf("Write at %d: %d, %v", off, n, err)
		}
		off = end
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Result() == nil {
		t.Fatal("no result record after a successful Close")
	}
	return w.Result()
}

// existing returns the names of the listing that a HEAD confirms: a
// container listing can lag the object servers on a busy machine.
func existing(t *testing.T, c *swiftclient.Client, cont string) []string {
	t.Helper()
	ctx := context.Background()
	objs, err := c.ListObjects(ctx, cont, nil)
	if errors.Is(err, swiftclient.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		if _, err := c.HeadObject(ctx, cont, o.Name, nil); err == nil {
			out = append(out, o.Name)
		} else if !errors.Is(err, swiftclient.ErrNotFound) {
			t.Fatal(err)
		}
	}
	return out
}

func readAt(t *testing.T, r *swiftclient.ObjectReader, off int64, whence, n int) []byte {
	t.Helper()
	if _, err := r.Seek(off, whence); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatalf("reading %d bytes at %d (whence %d): %v", n, off, whence, err)
	}
	return buf
}

func TestCreateObjectSegmentsReadBackWithSeek(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	cont := containerName(t)
	cleanContainer(t, c, cont)
	data := randomBytes(t, 3*segSize-12345)
	rec := create(t, c, cont, "big.bin", data)
	if !rec.Success || rec.Action != "upload_object" {
		t.Fatalf("record: %s", rec.Raw)
	}
	head, err := c.HeadObject(ctx, cont, "big.bin", nil)
	if err != nil {
		t.Fatal(err)
	}
	if head.Headers["x-static-large-object"] != "True" || head.Headers["x-object-meta-color"] != "green" ||
		head.Headers["content-type"] != "application/x-test" {
		t.Fatalf("not an SLO with the headers asked for: %v", head.Headers)
	}
	if segs := existing(t, c, cont+"_segments"); len(segs) != 3 {
		t.Fatalf("%d segments, want 3: %v", len(segs), segs)
	}

	r, err := c.OpenObject(ctx, cont, "big.bin", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Size != int64(len(data)) || r.ETag == "" || r.ContentType != "application/x-test" {
		t.Fatalf("reader: size %d etag %q type %q", r.Size, r.ETag, r.ContentType)
	}
	// Part of the first segment, then across into the second, then back.
	if got := readAt(t, r, 0, io.SeekStart, 1000); !bytes.Equal(got, data[:1000]) {
		t.Fatal("first 1000 bytes differ")
	}
	if got := readAt(t, r, segSize-10, io.SeekStart, 20); !bytes.Equal(got, data[segSize-10:segSize+10]) {
		t.Fatal("bytes across the segment boundary differ")
	}
	if got := readAt(t, r, 5, io.SeekCurrent, 100); !bytes.Equal(got, data[segSize+15:segSize+115]) {
		t.Fatal("SeekCurrent read differs")
	}
	if got := readAt(t, r, -50, io.SeekEnd, 50); !bytes.Equal(got, data[len(data)-50:]) {
		t.Fatal("SeekEnd read differs")
	}
	if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("at the end: %d, %v; want io.EOF", n, err)
	}
	// Beyond the end is EOF; before the start an error.
	if _, err := r.Seek(int64(len(data))+5, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("beyond the end: %v", err)
	}
	if _, err := r.Seek(-1, io.SeekStart); !errors.Is(err, swiftclient.ErrInvalidArgument) {
		t.Fatalf("negative seek: %v", err)
	}
	// The whole object from the start, as one stream.
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(all, data) {
		t.Fatalf("whole read: %d bytes, %v", len(all), err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(make([]byte, 1)); !errors.Is(err, swiftclient.ErrReaderClosed) {
		t.Fatalf("read after Close: %v", err)
	}

	// A stream shorter than a segment is a plain object.
	small := []byte("a small object")
	create(t, c, cont, "small.txt", small)
	r2, err := c.OpenObject(ctx, cont, "small.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if got, err := io.ReadAll(r2); err != nil || !bytes.Equal(got, small) || r2.Headers["x-static-large-object"] != "" {
		t.Fatalf("small: %q, %v, %v", got, err, r2.Headers)
	}
}

func TestOpenObjectMissingIsNotFound(t *testing.T) {
	c := newClient(t)
	if _, err := c.OpenObject(context.Background(), containerName(t), "nothing", nil); !errors.Is(err, swiftclient.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	if _, err := c.OpenObject(context.Background(), "c", "o",
		&swiftclient.OpenOptions{Headers: map[string]string{"range": "bytes=1-"}}); !errors.Is(err, swiftclient.ErrInvalidArgument) {
		t.Fatalf("a Range header: %v", err)
	}
}

// writeSome starts an upload of two segments and a half and returns the
// writer still open.
func writeSome(t *testing.T, ctx context.Context, c *swiftclient.Client, cont, name string) *swiftclient.ObjectWriter {
	t.Helper()
	w, err := c.CreateObject(ctx, cont, name, &swiftclient.CreateOptions{SegmentSize: segSize})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(randomBytes(t, 2*segSize+segSize/2)); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestAbortAndCancelLeaveNoObject(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	cont := containerName(t)
	cleanContainer(t, c, cont)

	w := writeSome(t, ctx, c, cont, "aborted.bin")
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("more")); err == nil {
		t.Fatal("Write after Abort succeeded")
	}
	if err := w.Close(); !errors.Is(err, swiftclient.ErrAborted) {
		t.Fatalf("Close after Abort: %v, want ErrAborted as the cause", err)
	}
	if w.Result() != nil {
		t.Fatal("an aborted upload has a result")
	}

	cctx, cancel := context.WithCancel(ctx)
	w2 := writeSome(t, cctx, c, cont, "cancelled.bin")
	cancel()
	var werr error
	for i := 0; i < 100 && werr == nil; i++ {
		_, werr = w2.Write(make([]byte, 64<<10))
	}
	if !errors.Is(werr, context.Canceled) {
		t.Fatalf("Write after cancelling: %v, want context.Canceled as the cause", werr)
	}
	if err := w2.Close(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close after cancelling: %v", err)
	}

	// Abort from another goroutine while a Write is blocked in the pipe.
	w3 := writeSome(t, ctx, c, cont, "aborted-meanwhile.bin")
	writeErr := make(chan error, 1)
	go func() {
		for {
			if _, err := w3.Write(make([]byte, 64<<10)); err != nil {
				writeErr <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	if err := w3.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := <-writeErr; !errors.Is(err, swiftclient.ErrAborted) {
		t.Fatalf("the blocked Write: %v, want ErrAborted as the cause", err)
	}

	for _, name := range []string{"aborted.bin", "cancelled.bin", "aborted-meanwhile.bin"} {
		if _, err := c.HeadObject(ctx, cont, name, nil); !errors.Is(err, swiftclient.ErrNotFound) {
			t.Fatalf("%s: %v, want ErrNotFound", name, err)
		}
	}
	if left := existing(t, c, cont+"_segments"); len(left) != 0 {
		t.Fatalf("segments left behind: %v", left)
	}
}

func TestWriteErrorIsTheUploadsError(t *testing.T) {
	// A wrong key: the upload fails before it reads, and Write reports
	// why.
	c, err := swiftclient.New(swiftclient.Options{"auth": authURL(t), "user": "test:tester", "key": "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := c.CreateObject(context.Background(), containerName(t), "o", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, werr := w.Write(bytes.Repeat([]byte("data"), 1<<20))
	var se *swiftclient.Error
	if !errors.Is(werr, swiftclient.ErrAuth) || !errors.As(werr, &se) || se.HTTPStatus != 401 {
		t.Fatalf("Write: %v, want the authentication's 401", werr)
	}
	if err := w.Close(); !errors.Is(err, swiftclient.ErrAuth) {
		t.Fatalf("Close: %v", err)
	}
}

func TestReaderRefusesAReplacedObject(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	cont := containerName(t)
	cleanContainer(t, c, cont)
	for _, size := range []int{3*segSize - 999, 100 << 10} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			name := fmt.Sprintf("obj-%d", size)
			old, repl := randomBytes(t, size), randomBytes(t, size)
			create(t, c, cont, name, old)

			// Replaced between ranges: the range GET after a Seek fails
			// with a 412 rather than reading the new version.
			r, err := c.OpenObject(ctx, cont, name, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := readAt(t, r, 0, io.SeekStart, 1000); !bytes.Equal(got, old[:1000]) {
				t.Fatal("first bytes differ")
			}
			// And a second reader, reading on without a Seek.
			r2, err := c.OpenObject(ctx, cont, name, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r2.Close()
			first := readAt(t, r2, 0, io.SeekStart, 1000)

			create(t, c, cont, name, repl)
			_, err = r.Seek(int64(size/2), io.SeekStart)
			if err == nil {
				_, err = r.Read(make([]byte, 100))
			}
			if !errors.Is(err, swiftclient.ErrPrecondition) {
				t.Fatalf("read after the object was replaced: %v, want ErrPrecondition", err)
			}
			if _, again := r.Read(make([]byte, 100)); !errors.Is(again, swiftclient.ErrPrecondition) {
				t.Fatalf("the error does not stay: %v", again)
			}

			// Without a Seek: whatever arrives is the old version (the
			// stream open before the replacement), or an error — never
			// bytes of the new one.
			rest, err := io.ReadAll(r2)
			got := append(first, rest...)
			if !bytes.Equal(got, old[:len(got)]) {
				t.Fatalf("read %d bytes that are not the opened version's (err %v)", len(got), err)
			}
			if err == nil && len(got) != size {
				t.Fatalf("a short read without an error: %d of %d", len(got), size)
			}
		})
	}
}

func TestCancellingTheContextEndsAReader(t *testing.T) {
	c := newClient(t)
	cont := containerName(t)
	cleanContainer(t, c, cont)
	data := randomBytes(t, 3*segSize)
	create(t, c, cont, "o", data)
	ctx, cancel := context.WithCancel(context.Background())
	r, err := c.OpenObject(ctx, cont, "o", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := readAt(t, r, 100, io.SeekStart, 10); !bytes.Equal(got, data[100:110]) {
		t.Fatal("bytes differ")
	}
	cancel()
	n, err := r.Read(make([]byte, 1000))
	if n != 0 || !errors.Is(err, context.Canceled) || !errors.Is(err, swiftclient.ErrCancelled) {
		t.Fatalf("Read after cancel: %d, %v", n, err)
	}
}

// Closing the Client while a reader's GET waits for a Read and a writer's
// upload waits for a Write ends both at once (it waited for ever): the
// reader and the writer then fail with ErrClosed, and no object is written.
func TestClosingTheClientEndsOpenReadersAndWriters(t *testing.T) {
	ctx := context.Background()
	setup := newClient(t)
	cont := containerName(t)
	cleanContainer(t, setup, cont)
	if _, err := setup.PutContainer(ctx, cont, nil); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	if _, err := setup.PutObject(ctx, cont, "big", bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}

	c, err := swiftclient.New(swiftclient.Options{
		"auth": authURL(t), "user": "test:tester", "key": "testing", "auth_version": "1.0",
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.OpenObject(ctx, cont, "big", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(r, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	w, err := c.CreateObject(ctx, cont, "never.bin", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("some bytes")); err != nil {
		t.Fatal(err)
	}

	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close still waits for the open reader and writer after 20 s")
	}
	if _, err := io.ReadAll(r); !errors.Is(err, swiftclient.ErrClosed) {
		t.Fatalf("Read after the client closed: %v, want ErrClosed", err)
	}
	if _, err := w.Write([]byte("more")); !errors.Is(err, swiftclient.ErrClosed) {
		t.Fatalf("Write after the client closed: %v, want ErrClosed", err)
	}
	if err := w.Close(); !errors.Is(err, swiftclient.ErrClosed) {
		t.Fatalf("the writer's Close after the client closed: %v, want ErrClosed", err)
	}
	if _, err := setup.HeadObject(ctx, cont, "never.bin", nil); !errors.Is(err, swiftclient.ErrNotFound) {
		t.Fatalf("never.bin: %v, want ErrNotFound", err)
	}
}
