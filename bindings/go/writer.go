package swiftclient

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// CreateOptions tune CreateObject (swc_upload_stream's request keys).
type CreateOptions struct {
	// SegmentSize: a stream longer than this is uploaded as segments plus
	// a manifest (SLO when the cluster has it, else DLO); a shorter one
	// becomes a plain object. Default 10 MiB. Memory held: two segments
	// (Buffer "memory") or two chunks (Buffer "file").
	SegmentSize      int64
	UseSLO           *bool
	SegmentContainer string
	// Buffer is "memory" (default) or "file" (an unlinked temporary file
	// in BufferDir holds the segment being sent).
	Buffer, BufferDir string
	ContentType       string
	// Headers are sent with the object (or manifest); Meta become
	// X-Object-Meta-<name>.
	Headers, Meta map[string]string
	// LeaveSegments keeps the segments of a failed or aborted upload.
	LeaveSegments    bool
	SkipContainerPut bool
	SkipChecksum     bool
	// Extra passes further request keys as they are (e.g. "checkpoint").
	Extra map[string]interface{}
}

func (o *CreateOptions) request(container, object string) map[string]interface{} {
	q := req{"container": container, "object_name": object}
	if o == nil {
		return q
	}
	q.num("segment_size", o.SegmentSize).str("segment_container", o.SegmentContainer).
		str("buffer", o.Buffer).str("buffer_dir", o.BufferDir).flag("leave_segments", o.LeaveSegments).
		flag("skip_container_put", o.SkipContainerPut)
	if o.UseSLO != nil {
		q["use_slo"] = *o.UseSLO
	}
	if o.SkipChecksum {
		q["checksum"] = false
	}
	var hs, meta []string
	if o.ContentType != "" {
		hs = append(hs, "Content-Type: "+o.ContentType)
	}
	for k, v := range o.Headers {
		hs = append(hs, k+": "+v)
	}
	for k, v := range o.Meta {
		meta = append(meta, k+":"+v)
	}
	return q.list("header", hs).list("meta", meta).merge(o.Extra)
}

// ObjectWriter uploads one object from the bytes written to it, pull-style
// over swc_upload_stream: an io.WriteCloser. Close commits the object;
// Abort (or cancelling CreateObject's context) ends the upload leaving no
// object, and deletes the segments already uploaded unless LeaveSegments.
// A stream of any length flows (segments are uploaded while the next is
// written); nothing is visible under the object's name before Close
// returns nil. Write and Close are for one goroutine; Abort may be called
// from any. Always end it with Close or Abort: until then a goroutine
// waits for more bytes.
type ObjectWriter struct {
	pw     *io.PipeWriter
	pr     *io.PipeReader
	cancel context.CancelFunc
	done   chan struct{}

	// Set by the upload goroutine before done is closed.
	result *Record
	err    error

	mu      sync.Mutex
	ended   bool // Close or Abort was called
	aborted bool
}

// ErrAborted is the cause of the errors of an ObjectWriter after Abort.
var ErrAborted = errors.New("swiftclient: upload aborted")

// CreateObject starts uploading container/object (creating the container
// unless SkipContainerPut) from what is written to the returned writer.
func (c *Client) CreateObject(ctx context.Context, container, object string, o *CreateOptions) (*ObjectWriter, error) {
	js, err := json.Marshal(o.request(container, object))
	if err != nil {
		return nil, &Error{Status: StatusInvalidArgument, Message: "request: " + err.Error(), cause: err}
	}
	if err := ctxCause(ctx); err != nil {
		return nil, &Error{Status: StatusCancelled, Message: "cancelled", cause: err}
	}
	uctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	w := &ObjectWriter{pw: pw, pr: pr, cancel: cancel, done: make(chan struct{})}
	go w.run(uctx, c, string(js))
	// Cancelling ctx must also release the library's read callback, which
	// may be waiting in the pipe for a Write that never comes. The writer
	// end is closed, so that the callback reads the context's error (the
	// cause the upload's error carries); a reader end closed by its own
	// side would read io.ErrClosedPipe.
	// Closing the Client ends the upload the same way, with ErrClosed: no
	// object is written.
	drop := c.onClose(func() { pw.CloseWithError(ErrClosed) })
	go func() {
		defer drop()
		select {
		case <-uctx.Done():
			pw.CloseWithError(uctx.Err())
		case <-w.done:
		}
	}()
	return w, nil
}

// run is the upload: swc_upload_stream reading the pipe on this goroutine.
func (w *ObjectWriter) run(ctx context.Context, c *Client, js string) {
	defer close(w.done)
	s := &callState{r: w.pr}
	h := cgo.NewHandle(s)
	defer h.Delete()
	creq := C.CString(js)
	defer C.free(unsafe.Pointer(creq))
	raw, err := c.callRaw(ctx, s, func(cl *C.swc_client, tok *C.swc_cancel, res, errRec **C.char) C.swc_status {
		return C.swc_upload_stream(cl, creq, C.swc_read_fn(C.gsw_read), C.gsw_ud(C.uintptr_t(h)), tok, res, errRec)
	})
	if err == nil {
		var rec Record
		if jerr := json.Unmarshal(raw, &rec); jerr == nil {
			w.result = &rec
		}
	}
	w.mu.Lock()
	if w.aborted {
		err = &Error{Status: StatusCancelled, Message: "upload aborted", cause: ErrAborted}
	}
	w.mu.Unlock()
	w.err = err
	// A Write waiting in the pipe returns the upload's error.
	if err != nil {
		w.pr.CloseWithError(err)
	} else {
		w.pr.CloseWithError(errors.New("swiftclient: upload already finished"))
	}
}

// Write sends p to the upload. An error is the upload's: a *Error whose
// cause (errors.Unwrap) is what stopped it, e.g. the context's error.
func (w *ObjectWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	ended := w.ended
	w.mu.Unlock()
	if ended {
		return 0, errors.New("swiftclient: write to a closed or aborted ObjectWriter")
	}
	n, err := w.pw.Write(p)
	if err != nil {
		// The pipe's error is the upload's, once it has ended.
		<-w.done
		if w.err != nil {
			err = w.err
		}
	}
	return n, err
}

// Close ends the stream and waits for the object to be committed (the last
// segment and the manifest, or the plain object). It returns the upload's
// error, if any; then no object was written.
func (w *ObjectWriter) Close() error {
	w.mu.Lock()
	if w.ended {
		w.mu.Unlock()
		<-w.done
		return w.err
	}
	w.ended = true
	w.mu.Unlock()
	_ = w.pw.Close()
	<-w.done
	w.cancel()
	return w.err
}

// Abort stops the upload: no object is written, and the segments already
// uploaded are deleted (unless LeaveSegments). It waits for that to
// finish. After Close has returned it does nothing.
func (w *ObjectWriter) Abort() error {
	w.mu.Lock()
	if w.ended && !w.aborted {
		w.mu.Unlock()
		<-w.done
		return nil
	}
	w.ended, w.aborted = true, true
	w.mu.Unlock()
	_ = w.pw.CloseWithError(ErrAborted)
	<-w.done
	w.cancel()
	return nil
}

// Result is the upload_object record (Raw has segment details) once Close
// has succeeded, else nil.
func (w *ObjectWriter) Result() *Record {
	select {
	case <-w.done:
		return w.result
	default:
		return nil
	}
}
