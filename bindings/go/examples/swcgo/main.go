// swcgo: upload a directory to a container, list it, and download it into
// another directory, with credentials from the ST_* / OS_* environment.
//
//	swcgo CONTAINER SOURCE_DIR DEST_DIR
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	swiftclient "github.com/libswiftclient/libswiftclient/bindings/go"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: swcgo CONTAINER SOURCE_DIR DEST_DIR")
		os.Exit(2)
	}
	container, src, dst := os.Args[1], os.Args[2], os.Args[3]
	// Ctrl-C cancels whatever is running.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	c, err := swiftclient.NewFromEnv(nil)
	if err != nil {
		fail(err)
	}
	defer c.Close()

	show := swiftclient.Handlers{OnRecord: func(r swiftclient.Record) error {
		if !r.Success {
			fmt.Printf("  %s %s: FAILED: %s\n", r.Action, r.Object, r.Error)
			return nil
		}
		fmt.Printf("  %s %s %s\n", r.Action, r.Object, r.Status)
		return nil
	}}
	fmt.Printf("libswiftclient %s: upload %s to %s\n", swiftclient.Version(), src, container)
	if _, err := c.Upload(ctx, swiftclient.UploadRequest{Container: container,
		Objects: []swiftclient.UploadItem{{Path: src, ObjectName: filepath.Base(src)}}, SegmentSize: 1 << 20}, show); err != nil {
		fail(err)
	}
	objs, err := c.ListObjects(ctx, container, nil)
	if err != nil {
		fail(err)
	}
	for _, o := range objs {
		fmt.Printf("  %10d  %s  %s\n", o.Bytes, o.Hash, o.Name)
	}
	fmt.Printf("download %s to %s\n", container, dst)
	sum, err := c.Download(ctx, swiftclient.DownloadRequest{Container: container, OutDirectory: dst}, show)
	if err != nil {
		fail(err)
	}
	fmt.Printf("%d records, %d failed\n", sum.Records, sum.Failed)
}

// fail prints the error (with the transaction id when the server gave one)
// and exits 1.
func fail(err error) {
	var se *swiftclient.Error
	if errors.As(err, &se) && se.HTTPStatus != 0 {
		fmt.Fprintf(os.Stderr, "swcgo: HTTP %d: %v\n", se.HTTPStatus, err)
	} else {
		fmt.Fprintf(os.Stderr, "swcgo: %v\n", err)
	}
	os.Exit(1)
}
