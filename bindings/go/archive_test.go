package swiftclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	swiftclient "github.com/libswiftclient/libswiftclient/bindings/go"
)

// A tree as one tar.gz archive the cluster unpacks: one summary record,
// every object there byte for byte.
func TestUploadExtractArchive(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	cont := containerName(t)
	src := t.TempDir()
	files := map[string][]byte{"a": randomBytes(t, 5000), "sub/b": randomBytes(t, 90_000)}
	for name, data := range files {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var summary swiftclient.Record
	_, err := c.Upload(ctx, swiftclient.UploadRequest{
		Container: cont, Objects: []swiftclient.UploadItem{{Path: src, ObjectName: "t"}}, ExtractArchive: "tar.gz",
	}, swiftclient.Handlers{OnRecord: func(r swiftclient.Record) error {
		if r.Action == "extract_archive" {
			summary = r
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	var counts struct {
		Files        int `json:"files"`
		FilesCreated int `json:"files_created"`
	}
	if err := json.Unmarshal(summary.Raw, &counts); err != nil || counts.Files != 2 || counts.FilesCreated != 2 {
		t.Fatalf("summary %s (%v)", summary.Raw, err)
	}
	for name, data := range files {
		var got bytes.Buffer
		if _, err := c.GetObject(ctx, cont, "t/"+name, &got, nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), data) {
			t.Fatalf("%s: %d bytes back, %d sent", name, got.Len(), len(data))
		}
	}
	if _, err := c.Delete(ctx, swiftclient.DeleteRequest{Container: cont}, swiftclient.Handlers{}); err != nil {
		t.Fatal(err)
	}
}
