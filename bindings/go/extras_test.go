package swiftclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	swiftclient "github.com/libswiftclient/libswiftclient/bindings/go"
)

func TestRequestIsTheEscapeHatch(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	cont := containerName(t)
	cleanContainer(t, c, cont)
	if _, err := c.Request(ctx, "PUT", "/"+cont, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(t, 100<<10)
	put, err := c.Request(ctx, "PUT", "/"+cont+"/a b/ü.bin", bytes.NewReader(data), nil,
		&swiftclient.RawRequestOptions{RequestOptions: swiftclient.RequestOptions{
			Headers: map[string]string{"X-Object-Meta-Via": "request"}}})
	if err != nil || put.StatusCode != 201 || put.Headers["etag"] != md5hex(data) {
		t.Fatalf("PUT: %+v, %v", put, err)
	}
	// A body to a writer, and a small one into the record.
	var out bytes.Buffer
	if _, err := c.Request(ctx, "GET", "/"+cont+"/a b/ü.bin", nil, &out, nil); err != nil || !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("GET to a writer: %d bytes, %v", out.Len(), err)
	}
	list, err := c.Request(ctx, "GET", "/"+cont, nil, nil,
		&swiftclient.RawRequestOptions{RequestOptions: swiftclient.RequestOptions{Query: "format=json"}})
	if err != nil {
		t.Fatal(err)
	}
	var entries []swiftclient.ObjectEntry
	if err := json.Unmarshal([]byte(list.Body), &entries); err != nil || len(entries) != 1 ||
		entries[0].Name != "a b/ü.bin" || entries[0].Bytes != int64(len(data)) {
		t.Fatalf("listing body %q: %v", list.Body, err)
	}
	head, err := c.Request(ctx, "HEAD", "/"+cont+"/a b/ü.bin", nil, nil, nil)
	if err != nil || head.Headers["x-object-meta-via"] != "request" {
		t.Fatalf("HEAD: %+v, %v", head, err)
	}
	// Below the root, without a token.
	info, err := c.Request(ctx, "GET", "/info", nil, nil, &swiftclient.RawRequestOptions{Root: true, NoAuth: true})
	if err != nil || !strings.Contains(info.Body, `"swift"`) {
		t.Fatalf("GET /info: %+v, %v", info, err)
	}
	// Failures are the usual errors.
	if _, err := c.Request(ctx, "GET", "/"+cont+"/missing", nil, nil, nil); !errors.Is(err, swiftclient.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	if _, err := c.Request(ctx, "GET", "/"+cont+"/../x", nil, nil, nil); !errors.Is(err, swiftclient.ErrInvalidArgument) {
		t.Fatalf("a .. path: %v", err)
	}
}

func TestInfoIsTheClustersCapabilities(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	info, err := c.Info(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	sw, _ := info["swift"].(map[string]interface{})
	if sw == nil || sw["version"] == nil || info["slo"] == nil || info["tempurl"] == nil {
		t.Fatalf("info: %v", info)
	}
	// The same document as the bulk Capabilities.
	caps, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if caps["swift"].(map[string]interface{})["version"] != sw["version"] {
		t.Fatalf("Capabilities and Info differ: %v / %v", caps["swift"], sw)
	}
	// An explicit URL, and one where nothing listens.
	if _, err := c.Info(ctx, &swiftclient.InfoOptions{URL: strings.TrimSuffix(proxyURL(t), "/")}); err != nil {
		t.Fatal(err)
	}
	quick, err := swiftclient.NewWithConfig(swiftclient.Config{Auth: authURL(t), User: "test:tester", Key: "testing",
		Retries: swiftclient.Int(0)})
	if err != nil {
		t.Fatal(err)
	}
	defer quick.Close()
	if _, err := quick.Info(ctx, &swiftclient.InfoOptions{URL: "http://127.0.0.1:1"}); !errors.Is(err, swiftclient.ErrNetwork) {
		t.Fatalf("nothing listening: %v", err)
	}
}

func proxyURL(t *testing.T) string {
	u := strings.TrimSuffix(authURL(t), "/auth/v1.0")
	if u == authURL(t) {
		t.Skip("SWC_TEST_V1_AUTH does not end in /auth/v1.0")
	}
	return u
}

// storage authenticates and returns the storage URL, and a container
// with a Temp-URL-Key (a container key: the account's is shared).
func storage(t *testing.T, c *swiftclient.Client, key string) (string, string) {
	t.Helper()
	ctx := context.Background()
	a, err := c.Auth(ctx, false, false)
	if err != nil {
		t.Fatal(err)
	}
	cont := containerName(t)
	cleanContainer(t, c, cont)
	if _, err := c.PutContainer(ctx, cont, &swiftclient.RequestOptions{
		Headers: map[string]string{"X-Container-Meta-Temp-URL-Key": key}}); err != nil {
		t.Fatal(err)
	}
	return a.StorageURL, cont
}

func httpDo(t *testing.T, method, url string, body io.Reader) (int, []byte) {
	t.Helper()
	rq, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestTempURLFetchedWithNetHTTP(t *testing.T) {
	c := newClient(t)
	storageURL, cont := storage(t, c, "s3cr3t")
	data := []byte("shared through a temp URL")
	if _, err := c.PutObject(context.Background(), cont, "o.txt", bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	full := storageURL + "/" + cont + "/o.txt"
	get, err := swiftclient.TempURL(swiftclient.TempURLOptions{Path: full, Key: "s3cr3t", Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(get, full+"?temp_url_sig=") {
		t.Fatalf("URL %q", get)
	}
	if st, b := httpDo(t, "GET", get, nil); st != 200 || !bytes.Equal(b, data) {
		t.Fatalf("GET: %d %q", st, b)
	}
	// The method is part of the signature.
	if st, _ := httpDo(t, "PUT", get, strings.NewReader("x")); st != 401 {
		t.Fatalf("PUT with a GET URL: %d", st)
	}
	put, err := swiftclient.TempURL(swiftclient.TempURLOptions{Path: storageURL + "/" + cont + "/new.txt",
		Key: "s3cr3t", Method: "PUT", Expires: time.Minute, Digest: "sha512"})
	if err != nil {
		t.Fatal(err)
	}
	if st, b := httpDo(t, "PUT", put, strings.NewReader("uploaded")); st != 201 {
		t.Fatalf("PUT: %d %s", st, b)
	}
	var out bytes.Buffer
	if _, err := c.GetObject(context.Background(), cont, "new.txt", &out, nil); err != nil || out.String() != "uploaded" {
		t.Fatalf("the PUT object: %q, %v", out.String(), err)
	}
	// Expired, or signed with another key: refused.
	old, err := swiftclient.TempURL(swiftclient.TempURLOptions{Path: full, Key: "s3cr3t", ExpiresAt: time.Now().Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	other, err := swiftclient.TempURL(swiftclient.TempURLOptions{Path: full, Key: "other", Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{old, other} {
		if st, _ := httpDo(t, "GET", u, nil); st != 401 {
			t.Fatalf("%s: %d, want 401", u, st)
		}
	}
	// A missing key is an error naming it, and the key never shows.
	_, err = swiftclient.TempURL(swiftclient.TempURLOptions{Path: full, Expires: time.Minute})
	var se *swiftclient.Error
	if !errors.As(err, &se) || se.Status != swiftclient.StatusConfig || se.Key != "key" {
		t.Fatalf("no key: %v", err)
	}
}

func TestFormPostUploadsThroughTheMiddleware(t *testing.T) {
	c := newClient(t)
	storageURL, cont := storage(t, c, "form-key")
	i := strings.Index(storageURL, "/v1/")
	path := storageURL[i:] + "/" + cont + "/up/"
	f, err := swiftclient.FormPostSignature(swiftclient.FormPostOptions{Path: path, Key: "form-key",
		MaxFileSize: 1024, MaxFileCount: 2, Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != path || f.Expires < time.Now().Unix() || len(f.Signature) != 64 {
		t.Fatalf("fields: %+v", f)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range f.Values() {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file1", "hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte("posted by a form"))
	_ = mw.Close()
	rq, err := http.NewRequest("POST", storageURL+"/"+cont+"/up/", &body)
	if err != nil {
		t.Fatal(err)
	}
	rq.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("form POST: %d %s", resp.StatusCode, b)
	}
	var out bytes.Buffer
	if _, err := c.GetObject(context.Background(), cont, "up/hello.txt", &out, nil); err != nil || out.String() != "posted by a form" {
		t.Fatalf("the posted object: %q, %v", out.String(), err)
	}
	if _, err := swiftclient.FormPostSignature(swiftclient.FormPostOptions{Path: "/nope", Key: "k",
		MaxFileSize: 1, MaxFileCount: 1, Expires: time.Minute}); !errors.Is(err, swiftclient.ErrConfig) {
		t.Fatalf("a bad path: %v", err)
	}
}
