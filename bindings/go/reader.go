package swiftclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// OpenOptions tune OpenObject.
type OpenOptions struct {
	// Headers are sent with the HEAD and every GET (e.g. X-Newest);
	// Range and If-Match are the reader's own and are refused here.
	Headers map[string]string
	// SkipChecksum turns off the MD5 check of a plain object read whole
	// from its start.
	SkipChecksum bool
	// Reopens is how many times a GET that breaks mid-body (network,
	// timeout) is re-issued from the reader's position; default 3, -1 for
	// none. The library's own retries of each request come on top.
	Reopens int
}

// ObjectReader reads one object, pull-style: an io.ReadCloser with Seek.
// It is not safe for concurrent use (as an *os.File's offset is not).
//
// OpenObject HEADs the object and keeps its ETag; every GET then carries
// If-Match with that ETag, so the bytes read all belong to the version
// that was opened: when the object is replaced or deleted, the next GET
// fails (errors.Is(err, ErrPrecondition) or ErrNotFound) instead of
// mixing versions. Reading from the start streams one GET through the
// library (length and, for plain objects, MD5 verified, a broken body
// resumed); a Seek makes the next Read open a range GET at the new offset.
type ObjectReader struct {
	c                 *Client
	ctx               context.Context
	container, object string
	opts              OpenOptions

	// Size, ETag, ContentType and Headers are the HEAD's answer.
	Size        int64
	ETag        string
	ContentType string
	Headers     map[string]string

	pos     int64
	cur     *getStream
	err     error // sticky: a failed GET or Close
	reopens int
}

// getStream is one GET in flight, writing into a pipe Read drains.
type getStream struct {
	pr     *io.PipeReader
	off    int64 // offset of the next byte pr gives
	cancel context.CancelFunc
	done   chan struct{}
	err    error // the GET's error, readable once done is closed
}

// ErrReaderClosed is returned by Read and Seek after Close.
var ErrReaderClosed = errors.New("swiftclient: object reader is closed")

// OpenObject opens container/object for reading. ctx governs the reader's
// whole life: cancelling it fails the Read in progress and those after.
// The GET starts at the first Read. Closing the Client ends the reader's
// GET: its Reads then fail with ErrClosed.
func (c *Client) OpenObject(ctx context.Context, container, object string, o *OpenOptions) (*ObjectReader, error) {
	r := &ObjectReader{c: c, ctx: ctx, container: container, object: object}
	if o != nil {
		r.opts = *o
	}
	if r.opts.Reopens == 0 {
		r.opts.Reopens = 3
	}
	for k := range r.opts.Headers {
		if strings.EqualFold(k, "Range") || strings.EqualFold(k, "If-Match") {
			return nil, &Error{Status: StatusInvalidArgument, Key: k,
				Message: "OpenObject sets " + k + " itself: use Seek (and ETag) instead"}
		}
	}
	resp, err := c.HeadObject(ctx, container, object, &RequestOptions{Headers: r.opts.Headers})
	if err != nil {
		return nil, err
	}
	r.Headers = resp.Headers
	r.ETag = resp.Headers["etag"]
	r.ContentType = resp.Headers["content-type"]
	r.Size, err = strconv.ParseInt(resp.Headers["content-length"], 10, 64)
	if err != nil || r.ETag == "" {
		return nil, &Error{Status: StatusHTTP, Message: fmt.Sprintf(
			"HEAD %s/%s gave no usable Content-Length / ETag", container, object)}
	}
	return r, nil
}

// Read reads from the current position; io.EOF at the object's end.
func (r *ObjectReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// A Read after cancelling fails even when a chunk is ready in the
	// pipe. A Read blocked at the time waits for the network, not the
	// pipe: the GET's cancel token ends it, and its error comes through.
	if err := ctxCause(r.ctx); err != nil {
		r.stop()
		r.err = &Error{Status: StatusCancelled, Message: "cancelled", cause: err}
		return 0, r.err
	}
	if r.cur == nil || r.cur.off != r.pos {
		r.stop()
		if r.pos >= r.Size {
			return 0, io.EOF
		}
		r.start()
	}
	n, err := r.cur.pr.Read(p)
	r.cur.off += int64(n)
	r.pos += int64(n)
	if err == nil || err == io.EOF {
		return n, err
	}
	// A GET that broke after delivering bytes is opened again at the
	// reader's position (If-Match still holds the version); a 412, 404,
	// cancellation or repeated failure is final.
	var se *Error
	if errors.As(err, &se) && (se.Status == StatusNetwork || se.Status == StatusTimeout) &&
		r.reopens < r.opts.Reopens && ctxCause(r.ctx) == nil {
		r.reopens++
		r.stop()
		if n > 0 {
			return n, nil
		}
		return r.Read(p)
	}
	r.stop()
	r.err = err
	return n, err
}

// start opens a GET at r.pos: a plain GET from 0, a range GET elsewhere.
func (r *ObjectReader) start() {
	h := map[string]string{"If-Match": r.ETag}
	for k, v := range r.opts.Headers {
		h[k] = v
	}
	if r.pos > 0 {
		h["Range"] = fmt.Sprintf("bytes=%d-", r.pos)
	}
	ctx, cancel := context.WithCancel(r.ctx)
	pr, pw := io.Pipe()
	s := &getStream{pr: pr, off: r.pos, cancel: cancel, done: make(chan struct{})}
	// Closing the Client ends the GET even while the library waits in the
	// pipe for a Read; the reader then reads ErrClosed.
	drop := r.c.onClose(func() {
		cancel()
		pw.CloseWithError(ErrClosed)
	})
	go func() {
		defer close(s.done)
		defer drop()
		_, err := r.c.GetObject(ctx, r.container, r.object, pw,
			&GetOptions{RequestOptions: RequestOptions{Headers: h}, SkipChecksum: r.opts.SkipChecksum})
		s.err = err
		if err != nil {
			pw.CloseWithError(err)
		} else {
			pw.Close()
		}
	}()
	r.cur = s
}

// stop ends the GET in flight, if any: the pipe's reader end is closed so
// a write blocked in the library's callback fails and the call returns.
func (r *ObjectReader) stop() {
	s := r.cur
	if s == nil {
		return
	}
	r.cur = nil
	s.cancel()
	s.pr.CloseWithError(ErrReaderClosed)
	<-s.done
}

// Seek sets the position of the next Read (io.SeekStart, io.SeekCurrent,
// io.SeekEnd from the size the HEAD gave). It sends nothing: the next
// Read opens a range GET there, unless the position is unchanged.
func (r *ObjectReader) Seek(offset int64, whence int) (int64, error) {
	if errors.Is(r.err, ErrReaderClosed) {
		return 0, r.err
	}
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.pos + offset
	case io.SeekEnd:
		abs = r.Size + offset
	default:
		return 0, &Error{Status: StatusInvalidArgument, Message: fmt.Sprintf("Seek: bad whence %d", whence)}
	}
	if abs < 0 {
		return 0, &Error{Status: StatusInvalidArgument, Message: fmt.Sprintf("Seek: negative position %d", abs)}
	}
	r.pos = abs
	return abs, nil
}

// Close stops the GET in flight, if any. Calling it again is a no-op.
func (r *ObjectReader) Close() error {
	r.stop()
	r.err = ErrReaderClosed
	return nil
}
