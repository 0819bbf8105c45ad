package swiftclient_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	swiftclient "github.com/libswiftclient/libswiftclient/bindings/go"
)

// The local cluster's tempauth proxy, from scripts/cluster's cluster.env.
func authURL(t *testing.T) string {
	u := os.Getenv("SWC_TEST_V1_AUTH")
	if u == "" {
		t.Fatal("SWC_TEST_V1_AUTH is not set: source .cluster/cluster.env (scripts/cluster up)")
	}
	return u
}

func newClient(t *testing.T) *swiftclient.Client {
	t.Helper()
	c, err := swiftclient.New(swiftclient.Options{
		"auth": authURL(t), "user": "test:tester", "key": "testing", "auth_version": "1.0",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

var seq int64

func containerName(t *testing.T) string {
	n := atomic.AddInt64(&seq, 1)
	return fmt.Sprintf("go-%s-%d-%d", strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano(), n)
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func TestObjectRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	cont := containerName(t)
	if _, err := c.PutContainer(ctx, cont, nil); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(t, 3<<20+17)
	put, err := c.PutObject(ctx, cont, "dir/ünï.bin", bytes.NewReader(data),
		&swiftclient.PutOptions{ContentType: "application/x-test",
			RequestOptions: swiftclient.RequestOptions{Headers: map[string]string{"X-Object-Meta-Color": "blue"}}})
	if err != nil {
		t.Fatal(err)
	}
	if put.ETag != md5hex(data) || put.Bytes != int64(len(data)) {
		t.Fatalf("put record: etag %q bytes %d, want %s %d", put.ETag, put.Bytes, md5hex(data), len(data))
	}
	var out bytes.Buffer
	got, err := c.GetObject(ctx, cont, "dir/ünï.bin", &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) || !got.Verified {
		t.Fatalf("downloaded %d bytes (verified %v), want the %d uploaded", out.Len(), got.Verified, len(data))
	}
	head, err := c.HeadObject(ctx, cont, "dir/ünï.bin", nil)
	if err != nil {
		t.Fatal(err)
	}
	if head.Headers["x-object-meta-color"] != "blue" || head.Headers["content-type"] != "application/x-test" ||
		head.Headers["content-length"] != fmt.Sprint(len(data)) {
		t.Fatalf("head headers: %v", head.Headers)
	}

	// A range.
	out.Reset()
	if _, err := c.GetObject(ctx, cont, "dir/ünï.bin", &out, &swiftclient.GetOptions{
		RequestOptions: swiftclient.RequestOptions{Headers: map[string]string{"Range": "bytes=10-19"}}}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data[10:20]) {
		t.Fatalf("range: got %x", out.Bytes())
	}

	// A stream of unknown length (a pipe): sent chunked, not retryable.
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 40; i++ {
			_, _ = pw.Write(data[i*1000 : (i+1)*1000])
		}
		_ = pw.Close()
	}()
	if _, err := c.PutObject(ctx, cont, "piped", pr, nil); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if _, err := c.GetObject(ctx, cont, "piped", &out, nil); err != nil || !bytes.Equal(out.Bytes(), data[:40000]) {
		t.Fatalf("piped object: err %v, %d bytes", err, out.Len())
	}

	objs, err := c.ListObjects(ctx, cont, nil)
	if err != nil || len(objs) != 2 || objs[0].Name != "dir/ünï.bin" || objs[0].Hash != md5hex(data) || objs[1].Name != "piped" {
		t.Fatalf("listing: %v %+v", err, objs)
	}
	dirs, err := c.ListObjects(ctx, cont, &swiftclient.ListOptions{Delimiter: "/"})
	if err != nil || len(dirs) != 2 || dirs[0].Subdir != "dir/" {
		t.Fatalf("delimited listing: %v %+v", err, dirs)
	}

	if _, err := c.DeleteContainer(ctx, cont, nil); !errors.Is(err, swiftclient.ErrConflict) {
		t.Fatalf("deleting a non-empty container: %v", err)
	}
	for _, o := range []string{"dir/ünï.bin", "piped"} {
		if _, err := c.DeleteObject(ctx, cont, o, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.HeadObject(ctx, cont, "piped", nil)
	var se *swiftclient.Error
	if !errors.Is(err, swiftclient.ErrNotFound) || !errors.As(err, &se) || se.HTTPStatus != 404 ||
		!strings.HasPrefix(se.TransactionID, "tx") || se.Method != "HEAD" {
		t.Fatalf("head of a deleted object: %#v", err)
	}
	if _, err := c.DeleteContainer(ctx, cont, nil); err != nil {
		t.Fatal(err)
	}
}

func TestBadInputIsAnErrorNotATruncation(t *testing.T) {
	_, err := swiftclient.New(swiftclient.Options{"auth": "http://x", "bogus_option": 1})
	var se *swiftclient.Error
	if !errors.Is(err, swiftclient.ErrConfig) || !errors.As(err, &se) || se.Key != "bogus_option" {
		t.Fatalf("unknown option: %#v", err)
	}
	c := newClient(t)
	_, err = c.HeadContainer(context.Background(), "a\x00b", nil)
	if !errors.Is(err, swiftclient.ErrInvalidArgument) {
		t.Fatalf("NUL in a name: %v", err)
	}
	_, err = c.HeadContainer(context.Background(), strings.Repeat("c", 300), nil)
	if !errors.Is(err, swiftclient.ErrInvalidArgument) {
		t.Fatalf("a 300-byte container name: %v", err)
	}
	_ = c.Close()
	if _, err := c.HeadAccount(context.Background(), nil); !errors.Is(err, swiftclient.ErrClosed) {
		t.Fatalf("call on a closed client: %v", err)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write(p []byte) (int, error) { return 0, w.err }

func TestWriterErrorIsTheCause(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	cont := containerName(t)
	if _, err := c.PutContainer(ctx, cont, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, cont, "o", strings.NewReader("some bytes"), nil); err != nil {
		t.Fatal(err)
	}
	mine := errors.New("disk full")
	_, err := c.GetObject(ctx, cont, "o", failingWriter{mine}, nil)
	if !errors.Is(err, mine) || !errors.Is(err, swiftclient.ErrCancelled) {
		t.Fatalf("writer error: %v", err)
	}
}

func TestAuthAndLogKeepTheTokenSecret(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	var mu sync.Mutex
	var lines []string
	if err := c.SetLogger(swiftclient.LogDebug, func(_ swiftclient.LogLevel, msg string) {
		mu.Lock()
		lines = append(lines, msg)
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	info, err := c.Auth(ctx, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(info.StorageURL, "/v1/AUTH_test") || info.Token != "" || info.AuthVersion != "1.0" {
		t.Fatalf("auth info: %+v", info)
	}
	withToken, err := c.Auth(ctx, false, true)
	if err != nil || !strings.HasPrefix(withToken.Token, "AUTH_tk") {
		t.Fatalf("auth with token: %v %+v", err, withToken)
	}
	if _, err := c.HeadAccount(ctx, nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(lines, "\n")
	if !strings.Contains(all, "curl -i") || !strings.Contains(all, "X-Auth-Token: ***") {
		t.Fatalf("no redacted curl line in the debug log:\n%s", all)
	}
	if strings.Contains(all, withToken.Token) || strings.Contains(all, "testing") {
		t.Fatalf("a secret reached the log:\n%s", all)
	}
}

func TestThirtyTwoGoroutinesShareOneClient(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	cont := containerName(t)
	if _, err := c.PutContainer(ctx, cont, nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				name := fmt.Sprintf("g%02d/%d", g, i)
				body := bytes.Repeat([]byte(name), 5000+g*100+i)
				if _, err := c.PutObject(ctx, cont, name, bytes.NewReader(body), nil); err != nil {
					errs <- err
					return
				}
				var out bytes.Buffer
				if _, err := c.GetObject(ctx, cont, name, &out, nil); err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(out.Bytes(), body) {
					errs <- fmt.Errorf("%s: got %d bytes, want %d", name, out.Len(), len(body))
					return
				}
				if i%2 == 1 {
					if _, err := c.DeleteObject(ctx, cont, name, nil); err != nil {
						errs <- err
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	objs, err := c.ListObjects(ctx, cont, nil)
	if err != nil || len(objs) != 64 {
		t.Fatalf("listing after the goroutines: %v, %d objects (want 64)", err, len(objs))
	}
	if _, err := c.Delete(ctx, swiftclient.DeleteRequest{Container: cont}, swiftclient.Handlers{}); err != nil {
		t.Fatal(err)
	}
}

// slowWriter cancels the context after the first chunk and then lets the
// download go on slowly, as a consumer that stalls would.
type slowWriter struct {
	cancel func()
	n      int64
}

func (w *slowWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	w.cancel()
	time.Sleep(5 * time.Millisecond)
	return len(p), nil
}

// Auth honours its context: against a closed port the library would retry
// with backoff for about half a minute; a 300 ms deadline ends it at once.
func TestAuthHonoursItsContext(t *testing.T) {
	c, err := swiftclient.New(swiftclient.Options{
		"auth": "http://127.0.0.1:1/auth/v1.0", "user": "test:tester", "key": "testing",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Auth(ctx, false, false)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, swiftclient.ErrCancelled) {
		t.Fatalf("Auth past its deadline: %v", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("Auth returned %v after a 300 ms deadline", el)
	}
}

// A saved state restores a client without authenticating; one of another
// identity is refused; OnAuthState sees each new token.
func TestAuthStateRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := newClient(t)
	var seen []string
	var mu sync.Mutex
	if err := a.OnAuthState(func(s string) { mu.Lock(); seen = append(seen, s); mu.Unlock() }); err != nil {
		t.Fatal(err)
	}
	state, err := a.ExportAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(seen) != 1 || seen[0] != state {
		t.Fatalf("OnAuthState saw %d states", len(seen))
	}
	mu.Unlock()
	b := newClient(t)
	if ok, err := b.ImportAuth(state); err != nil || !ok {
		t.Fatalf("import: %v %v", ok, err)
	}
	info, err := b.Auth(ctx, false, true)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Token string `json:"token"`
	}
	_ = json.Unmarshal([]byte(state), &st)
	if info.Token != st.Token {
		t.Fatal("the restored client did not use the saved token")
	}
	other, err := swiftclient.New(swiftclient.Options{
		"auth": authURL(t), "user": "test2:tester2", "key": "testing2",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var se *swiftclient.Error
	if _, err := other.ImportAuth(state); !errors.As(err, &se) || se.Status != swiftclient.StatusConfig {
		t.Fatalf("a foreign state: %v", err)
	}
}

// The secret from a callback at authentication time.
func TestCredentialsFromACallback(t *testing.T) {
	c, err := swiftclient.New(swiftclient.Options{
		"auth": authURL(t), "user": "test:tester", "credentials_from_callback": true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var asked []string
	if err := c.OnCredentials(func(req string) ([]byte, error) {
		asked = append(asked, req)
		return []byte(`{"key": "testing"}`), nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadAccount(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || !strings.Contains(asked[0], `"needs":"key"`) {
		t.Fatalf("asked %q", asked)
	}
	if err := c.OnCredentials(func(string) ([]byte, error) { return nil, errors.New("vault sealed") }); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Auth(context.Background(), true, false); !errors.Is(err, swiftclient.ErrAuth) {
		t.Fatalf("a refusing callback: %v", err)
	}
}

func TestContextCancelsADownload(t *testing.T) {
	c := newClient(t)
	cont := containerName(t)
	bg := context.Background()
	if _, err := c.PutContainer(bg, cont, nil); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(t, 32<<20)
	if _, err := c.PutObject(bg, cont, "big", bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}

	// Per-request call.
	ctx, cancel := context.WithCancel(bg)
	w := &slowWriter{cancel: cancel}
	start := time.Now()
	_, err := c.GetObject(ctx, cont, "big", w, nil)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, swiftclient.ErrCancelled) {
		t.Fatalf("cancelled GetObject: %v", err)
	}
	if el := time.Since(start); el > 5*time.Second || w.n >= int64(len(data)) {
		t.Fatalf("cancel took %v after %d bytes", el, w.n)
	}

	// Bulk download: cancelled from the first progress event; nothing is
	// left in the output directory looking complete.
	dir := t.TempDir()
	ctx2, cancel2 := context.WithCancel(bg)
	defer cancel2()
	var once sync.Once
	_, err = c.Download(ctx2, swiftclient.DownloadRequest{Container: cont, Objects: []string{"big"}, OutDirectory: dir},
		swiftclient.Handlers{OnProgress: func(p swiftclient.Progress) {
			if p.Bytes > 0 {
				once.Do(func() { cancel2(); time.Sleep(50 * time.Millisecond) })
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Download: %v", err)
	}
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			t.Errorf("a cancelled download left %s", p)
		}
		return nil
	})

	// An already-cancelled context stops before any request.
	if _, err := c.HeadObject(ctx, cont, "big", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("HeadObject with a done context: %v", err)
	}
	if _, err := c.Delete(bg, swiftclient.DeleteRequest{Container: cont}, swiftclient.Handlers{}); err != nil {
		t.Fatal(err)
	}
}

type panickyReader struct{ n int }

func (r *panickyReader) Read(p []byte) (int, error) {
	r.n++
	if r.n == 3 {
		panic("reader exploded")
	}
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func recovered(f func()) (v interface{}) {
	defer func() { v = recover() }()
	f()
	return nil
}

func TestPanicsInCallbacksComeBackToTheCaller(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	cont := containerName(t)
	src := t.TempDir()
	for i := 0; i < 6; i++ {
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("f%d", i)), []byte(strings.Repeat("a", 1000*i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	records := 0
	v := recovered(func() {
		_, _ = c.Upload(ctx, swiftclient.UploadRequest{Container: cont, Objects: []swiftclient.UploadItem{{Path: src, ObjectName: "tree"}}},
			swiftclient.Handlers{OnRecord: func(r swiftclient.Record) error {
				records++
				if r.Action == "upload_object" {
					panic(fmt.Sprintf("boom at %s", r.Object))
				}
				return nil
			}})
	})
	if s, ok := v.(string); !ok || !strings.HasPrefix(s, "boom at tree/") {
		t.Fatalf("the record callback's panic did not come back: %v", v)
	}

	// A panic in an io.Reader during PutObject: re-raised, no object made.
	v = recovered(func() {
		_, _ = c.PutObject(ctx, cont, "from-panicky-reader", &panickyReader{}, &swiftclient.PutOptions{Length: 1 << 20})
	})
	if v != "reader exploded" {
		t.Fatalf("the reader's panic did not come back: %v", v)
	}
	if _, err := c.HeadObject(ctx, cont, "from-panicky-reader", nil); !errors.Is(err, swiftclient.ErrNotFound) {
		t.Fatalf("an object was made from a panicking reader: %v", err)
	}

	// The client is still fine afterwards.
	if _, err := c.HeadAccount(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Delete(ctx, swiftclient.DeleteRequest{Container: cont}, swiftclient.Handlers{}); err != nil {
		t.Fatal(err)
	}
}

func TestBulkOperationsRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	cont := containerName(t)
	src := t.TempDir()
	big := randomBytes(t, 2_500_000)
	if err := os.MkdirAll(filepath.Join(src, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(src, "big.bin"), big, 0o644))
	must(os.WriteFile(filepath.Join(src, "docs", "a.txt"), []byte("alpha"), 0o644))
	must(os.WriteFile(filepath.Join(src, "docs", "b.txt"), []byte("bravo"), 0o644))

	var mu sync.Mutex
	byAction := map[string]int{}
	count := func(r swiftclient.Record) error {
		mu.Lock()
		defer mu.Unlock()
		if !r.Success {
			return fmt.Errorf("%s %s failed: %s", r.Action, r.Object, r.Error)
		}
		byAction[r.Action]++
		return nil
	}
	var progressed int64
	sum, err := c.Upload(ctx, swiftclient.UploadRequest{
		Container: cont, Objects: []swiftclient.UploadItem{{Path: filepath.Join(src, "big.bin"), ObjectName: "big.bin"},
			{Path: filepath.Join(src, "docs"), ObjectName: "docs"}},
		SegmentSize: 1 << 20, Meta: []string{"Owner:go"}, ObjectThreads: 4, SegmentThreads: 3,
	}, swiftclient.Handlers{OnRecord: count, OnProgress: func(p swiftclient.Progress) { atomic.StoreInt64(&progressed, p.OverallBytes) }})
	must(err)
	if byAction["upload_object"] != 3 || byAction["upload_segment"] != 3 || sum.Failed != 0 || sum.Records < 6 {
		t.Fatalf("upload records %v, summary %+v", byAction, sum)
	}
	if atomic.LoadInt64(&progressed) == 0 {
		t.Fatal("no progress event")
	}

	var names []string
	_, err = c.List(ctx, swiftclient.ListRequest{Container: cont}, swiftclient.Handlers{OnRecord: func(r swiftclient.Record) error {
		for _, e := range r.Listing {
			names = append(names, e.Name)
		}
		return nil
	}})
	must(err)
	if strings.Join(names, ",") != "big.bin,docs/a.txt,docs/b.txt" {
		t.Fatalf("list: %v", names)
	}
	// Fields: the names only, nothing else decoded.
	var trimmed []swiftclient.ListEntry
	_, err = c.List(ctx, swiftclient.ListRequest{Container: cont, Delimiter: "/", Fields: []string{"name"}},
		swiftclient.Handlers{OnRecord: func(r swiftclient.Record) error {
			trimmed = append(trimmed, r.Listing...)
			return nil
		}})
	must(err)
	if len(trimmed) != 2 || trimmed[0] != (swiftclient.ListEntry{Name: "big.bin"}) ||
		trimmed[1] != (swiftclient.ListEntry{Subdir: "docs/"}) {
		t.Fatalf("list with fields: %+v", trimmed)
	}

	var stat swiftclient.Record
	_, err = c.Stat(ctx, swiftclient.StatRequest{Container: cont, Objects: []string{"big.bin"}},
		swiftclient.Handlers{OnRecord: func(r swiftclient.Record) error { stat = r; return nil }})
	must(err)
	if stat.Action != "stat_object" || stat.Headers["x-object-meta-owner"] != "go" || stat.Headers["x-static-large-object"] != "True" {
		t.Fatalf("stat record: %+v", stat)
	}

	out := t.TempDir()
	byAction = map[string]int{}
	_, err = c.Download(ctx, swiftclient.DownloadRequest{Container: cont, OutDirectory: out}, swiftclient.Handlers{OnRecord: count})
	must(err)
	got, err := os.ReadFile(filepath.Join(out, "big.bin"))
	must(err)
	if !bytes.Equal(got, big) || byAction["download_object"] != 3 {
		t.Fatalf("download: %d bytes, records %v", len(got), byAction)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "docs", "b.txt")); string(b) != "bravo" {
		t.Fatalf("docs/b.txt: %q", b)
	}

	// A failed sub-operation: the call's error says how many, with the
	// record's own error.
	var failed swiftclient.Record
	_, err = c.Stat(ctx, swiftclient.StatRequest{Container: cont, Objects: []string{"missing"}},
		swiftclient.Handlers{OnRecord: func(r swiftclient.Record) error { failed = r; return nil }})
	if !errors.Is(err, swiftclient.ErrHTTP) || failed.Success || failed.ErrorRecord == nil || failed.ErrorRecord.HTTPStatus != 404 {
		t.Fatalf("stat of a missing object: %v, record %+v", err, failed)
	}

	byAction = map[string]int{}
	_, err = c.Delete(ctx, swiftclient.DeleteRequest{Container: cont}, swiftclient.Handlers{OnRecord: count})
	must(err)
	if byAction["delete_object"] != 3 || byAction["delete_container"] != 1 {
		t.Fatalf("delete records %v", byAction)
	}
	segs, err := c.ListObjects(ctx, cont+"_segments", nil)
	if err != nil && !errors.Is(err, swiftclient.ErrNotFound) {
		t.Fatal(err)
	}
	if len(segs) != 0 {
		t.Fatalf("segments left behind: %v", segs)
	}
	caps, err := c.Capabilities(ctx)
	must(err)
	if _, ok := caps["slo"]; !ok {
		t.Fatalf("capabilities without slo: %v", caps)
	}
}

// A download cancelled through its context with ResumePartial keeps its
// partial file (hidden) and sidecar, no file under the object's name; the
// next one with ResumePartial fetches only the rest and the file is right.
func TestCancelledDownloadResumes(t *testing.T) {
	c := newClient(t)
	cont := containerName(t)
	bg := context.Background()
	if _, err := c.PutContainer(bg, cont, nil); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(t, 16<<20)
	if _, err := c.PutObject(bg, cont, "big", bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	req := swiftclient.DownloadRequest{Container: cont, Objects: []string{"big"}, OutDirectory: dir, ResumePartial: true}
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	var once sync.Once
	_, err := c.Download(ctx, req, swiftclient.Handlers{OnProgress: func(p swiftclient.Progress) {
		if p.Bytes > 0 {
			once.Do(func() { cancel(); time.Sleep(50 * time.Millisecond) })
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Download: %v", err)
	}
	part, err := os.Stat(filepath.Join(dir, ".big.swc-partial"))
	if err != nil || part.Size() == 0 || part.Size() >= int64(len(data)) {
		t.Fatalf("partial file: %v %v", part, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".big.swc-partial.json")); err != nil {
		t.Fatalf("sidecar: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "big")); !os.IsNotExist(err) {
		t.Fatalf("a cancelled download left its file: %v", err)
	}

	var got struct {
		ResumedFrom int64 `json:"resumed_from"`
		Transferred int64 `json:"transferred"`
	}
	_, err = c.Download(bg, req, swiftclient.Handlers{OnRecord: func(r swiftclient.Record) error {
		return json.Unmarshal(r.Raw, &got)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got.ResumedFrom != part.Size() || got.Transferred != int64(len(data))-part.Size() {
		t.Fatalf("kept %d: record %+v", part.Size(), got)
	}
	b, err := os.ReadFile(filepath.Join(dir, "big"))
	if err != nil || !bytes.Equal(b, data) {
		t.Fatalf("the resumed file differs (%v)", err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 1 {
		t.Fatalf("left in the directory: %v", left)
	}
}
