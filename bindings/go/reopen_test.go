package swiftclient_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	swiftclient "github.com/libswiftclient/libswiftclient/bindings/go"
)

// cuttingProxy forwards to upstream and cuts the body of the first cuts
// range GETs after 5000 bytes (a connection dropped mid-body: wire
// behaviour no server offers on demand); with cuts -1 it stalls every
// GET's body there instead, until the client goes away.
func cuttingProxy(t *testing.T, upstream string, cuts int32) (*httptest.Server, *int32) {
	var ranged int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequest(r.Method, upstream+r.URL.RequestURI(), r.Body)
		if err != nil {
			t.Error(err)
			return
		}
		req.Header = r.Header.Clone()
		req.ContentLength = r.ContentLength
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		if cuts < 0 && r.Method == "GET" {
			_, _ = io.CopyN(w, resp.Body, 5000)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		if r.Method == "GET" && r.Header.Get("Range") != "" {
			if n := atomic.AddInt32(&ranged, 1); n <= cuts {
				_, _ = io.CopyN(w, resp.Body, 5000)
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler) // closes the connection mid-body
			}
		}
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv, &ranged
}

func TestReaderReopensABrokenRangeGETAndHonoursItsContext(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	cont := containerName(t)
	cleanContainer(t, c, cont)
	data := randomBytes(t, 300<<10)
	if _, err := c.PutContainer(ctx, cont, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, cont, "o", bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	a, err := c.Auth(ctx, false, true)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(a.StorageURL, "/v1/")

	// A Read waiting for bytes that do not come returns when the context
	// is cancelled.
	stall, _ := cuttingProxy(t, a.StorageURL[:i], -1)
	sc, err := swiftclient.NewWithConfig(swiftclient.Config{OSStorageURL: stall.URL + a.StorageURL[i:],
		OSAuthToken: a.Token, Retries: swiftclient.Int(0)})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	cctx, cancel := context.WithCancel(ctx)
	r, err := sc.OpenObject(cctx, cont, "o", nil)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	got, err := io.ReadAll(r)
	if !errors.Is(err, context.Canceled) || len(got) != 5000 || time.Since(start) > 5*time.Second {
		t.Fatalf("stalled read: %d bytes, %v after %v", len(got), err, time.Since(start))
	}
	r.Close()

	for _, tc := range []struct {
		cuts    int32
		reopens int
		ok      bool
	}{{2, 0, true}, {1, -1, false}} {
		proxy, ranged := cuttingProxy(t, a.StorageURL[:i], tc.cuts)
		pc, err := swiftclient.NewWithConfig(swiftclient.Config{OSStorageURL: proxy.URL + a.StorageURL[i:],
			OSAuthToken: a.Token, Retries: swiftclient.Int(0)})
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		r, err := pc.OpenObject(ctx, cont, "o", &swiftclient.OpenOptions{Reopens: tc.reopens})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if _, err := r.Seek(1000, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if tc.ok {
			if err != nil || !bytes.Equal(got, data[1000:]) || atomic.LoadInt32(ranged) != 3 {
				t.Fatalf("two cuts: %d bytes, %v, %d range GETs", len(got), err, atomic.LoadInt32(ranged))
			}
		} else if err == nil || !bytes.Equal(got, data[1000:1000+len(got)]) {
			t.Fatalf("Reopens -1: %d bytes, %v; want an error after the right bytes", len(got), err)
		}
	}
}
