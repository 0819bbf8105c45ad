package swiftclient_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"testing"
	"time"

	swiftclient "github.com/libswiftclient/libswiftclient/bindings/go"
)

// TestMain gives the examples the ST_* environment `swift` reads, for the
// local cluster's tempauth account, unless the caller set it.
func TestMain(m *testing.M) {
	if os.Getenv("ST_AUTH") == "" && os.Getenv("SWC_TEST_V1_AUTH") != "" {
		os.Setenv("ST_AUTH", os.Getenv("SWC_TEST_V1_AUTH"))
		os.Setenv("ST_USER", "test:tester")
		os.Setenv("ST_KEY", "testing")
	}
	os.Exit(m.Run())
}

// exampleContainer is a fresh container name; removeContainer deletes it
// with its objects and segments.
func exampleContainer() string { return fmt.Sprintf("example-%d", time.Now().UnixNano()) }

func removeContainer(c *swiftclient.Client, name string) {
	for _, n := range []string{name, name + "_segments"} {
		_, _ = c.Delete(context.Background(), swiftclient.DeleteRequest{Container: n}, swiftclient.Handlers{})
	}
}

func ExampleNew() {
	c, err := swiftclient.New(swiftclient.Options{
		"auth": os.Getenv("ST_AUTH"), "user": os.Getenv("ST_USER"), "key": os.Getenv("ST_KEY"),
		"auth_version": "1.0", "retries": 3,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	info, err := c.Auth(context.Background(), false, false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.AuthVersion, strings.Contains(info.StorageURL, "/v1/"))
	// Output: 1.0 true
}

func ExampleNewWithConfig() {
	c, err := swiftclient.NewWithConfig(swiftclient.Config{
		Auth: os.Getenv("ST_AUTH"), User: os.Getenv("ST_USER"), Key: os.Getenv("ST_KEY"),
		Retries: swiftclient.Int(0), Timeout: 30, UserAgent: "example/1.0",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// A key the library does not know is an error naming it.
	_, err = swiftclient.NewWithConfig(swiftclient.Config{Extra: map[string]interface{}{"auth_url": "x"}})
	fmt.Println(err)
	// Output: swiftclient: unknown option "auth_url" (SWC_E_CONFIG)
}

func ExampleClient_CreateObject() {
	ctx := context.Background()
	c, err := swiftclient.NewFromEnv(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	cont := exampleContainer()
	defer removeContainer(c, cont)

	// Anything that writes to an io.Writer can upload: past SegmentSize
	// the stream becomes segments and a manifest, so its length is not
	// limited by the 5 GiB of one object.
	w, err := c.CreateObject(ctx, cont, "log.txt", &swiftclient.CreateOptions{SegmentSize: 1 << 20})
	if err != nil {
		log.Fatal(err)
	}
	line := strings.Repeat("x", 99) + "\n"
	for i := 0; i < 30000; i++ { // 3 MB
		if _, err := io.WriteString(w, line); err != nil {
			log.Fatal(err) // the upload's error, with its cause
		}
	}
	if err := w.Close(); err != nil { // commits the object
		log.Fatal(err)
	}
	head, err := c.HeadObject(ctx, cont, "log.txt", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(head.Headers["content-length"], head.Headers["x-static-large-object"])
	// Output: 3000000 True
}

func ExampleClient_OpenObject() {
	ctx := context.Background()
	c, err := swiftclient.NewFromEnv(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	cont := exampleContainer()
	defer removeContainer(c, cont)
	if _, err := c.PutContainer(ctx, cont, nil); err != nil {
		log.Fatal(err)
	}
	if _, err := c.PutObject(ctx, cont, "greeting", strings.NewReader("hello, world"), nil); err != nil {
		log.Fatal(err)
	}

	r, err := c.OpenObject(ctx, cont, "greeting", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	// A Seek makes the next Read a range GET (If-Match: the ETag opened).
	if _, err := r.Seek(7, io.SeekStart); err != nil {
		log.Fatal(err)
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		log.Fatal(err) // errors.Is(err, swiftclient.ErrPrecondition): replaced meanwhile
	}
	fmt.Printf("%d bytes, %q\n", r.Size, rest)
	// Output: 12 bytes, "world"
}

func ExampleTempURL() {
	u, err := swiftclient.TempURL(swiftclient.TempURLOptions{
		Path:      "https://swift.example.com/v1/AUTH_demo/photos/cat.jpg",
		Key:       "the Temp-URL-Key",
		ExpiresAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u)
	// Output: https://swift.example.com/v1/AUTH_demo/photos/cat.jpg?temp_url_sig=01b8e230404caada8fe6634b2b77f4d0ae8916d83a1e84c8540eee142a041741&temp_url_expires=1893456000
}

func ExampleFormPostSignature() {
	f, err := swiftclient.FormPostSignature(swiftclient.FormPostOptions{
		Path: "/v1/AUTH_demo/uploads/incoming/", Key: "the Temp-URL-Key",
		MaxFileSize: 10 << 20, MaxFileCount: 5,
		ExpiresAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	// The form: <form action="https://swift.example.com/v1/AUTH_demo/uploads/incoming/"
	// method="POST" enctype="multipart/form-data"> with these hidden fields.
	v := f.Values()
	for _, k := range []string{"redirect", "max_file_size", "max_file_count", "expires", "signature"} {
		fmt.Printf("%s=%s\n", k, v[k])
	}
	// Output:
	// redirect=
	// max_file_size=10485760
	// max_file_count=5
	// expires=1893456000
	// signature=125cdcb2803d69fd04d226861df4bbd898be96ecc452cc2e271b93a383127617
}

func ExampleClient_Request() {
	ctx := context.Background()
	c, err := swiftclient.NewFromEnv(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	cont := exampleContainer()
	defer removeContainer(c, cont)
	// Any method and path below the storage URL, with the client's token,
	// retries and errors.
	if _, err := c.Request(ctx, "PUT", "/"+cont, nil, nil, nil); err != nil {
		log.Fatal(err)
	}
	var body bytes.Buffer
	resp, err := c.Request(ctx, "GET", "/"+cont, nil, &body, &swiftclient.RawRequestOptions{
		RequestOptions: swiftclient.RequestOptions{Query: "format=json"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, body.String())
	// Output: 200 []
}

func ExampleClient_Info() {
	c, err := swiftclient.NewFromEnv(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	info, err := c.Info(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	_, slo := info["slo"]
	_, tempurl := info["tempurl"]
	fmt.Println("slo:", slo, "tempurl:", tempurl)
	// Output: slo: true tempurl: true
}
