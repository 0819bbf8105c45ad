package swiftclient

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"runtime/cgo"
	"strings"
	"unsafe"
)

// Response is the record of one request: HTTP status, reason, headers
// (lower-case names; secrets shown as "***") and how many attempts it took,
// plus, for object bodies, the bytes moved and their MD5.
type Response struct {
	StatusCode int               `json:"status"`
	Reason     string            `json:"reason"`
	Headers    map[string]string `json:"headers"`
	Attempts   int               `json:"attempts"`
	Bytes      int64             `json:"bytes"`
	MD5        string            `json:"md5"`
	ETag       string            `json:"etag"`
	// Verified: a download's MD5 matched the object's ETag.
	Verified bool `json:"verified"`
	// Raw is the whole record as the library wrote it.
	Raw json.RawMessage `json:"-"`
}

// RequestOptions are the extra headers and raw query string of a request.
type RequestOptions struct {
	Headers map[string]string
	// Query is appended to the URL as is, e.g. "multipart-manifest=get".
	Query string
}

func (o *RequestOptions) fill(m map[string]interface{}) {
	if o == nil {
		return
	}
	if len(o.Headers) > 0 {
		m["headers"] = o.Headers
	}
	if o.Query != "" {
		m["query"] = o.Query
	}
}

// ListOptions select a listing's entries. The whole listing is fetched
// page by page unless Limit is set.
type ListOptions struct {
	RequestOptions
	Prefix, Delimiter, Marker, EndMarker, Path string
	Limit                                      int
	Reverse                                    bool
	// Versions lists every version of each object (versioned containers).
	Versions      bool
	VersionMarker string
}

// GetOptions tune a download. Range and conditional requests go in
// Headers ("Range": "bytes=0-99", "If-None-Match": ...).
type GetOptions struct {
	RequestOptions
	// SkipChecksum turns off the MD5 check of whole plain objects.
	SkipChecksum bool
	// NoResume fails on a broken body instead of resuming with Range.
	NoResume bool
}

// PutOptions tune an upload.
type PutOptions struct {
	RequestOptions
	ContentType string
	// ETag is sent for the server to verify; the library also checks the
	// returned ETag against the MD5 it computed unless SkipChecksum.
	ETag         string
	SkipChecksum bool
	// Length is the body's size when the reader's cannot be found out
	// (bytes.Reader, strings.Reader, bytes.Buffer and regular files are
	// measured); 0 means unknown and the body is sent chunked.
	Length int64
}

// CopyOptions: Destination is "/container/object".
type CopyOptions struct {
	RequestOptions
	Destination        string
	DestinationAccount string
	FreshMetadata      bool
}

// ContainerEntry is one entry of an account listing.
type ContainerEntry struct {
	Name         string `json:"name"`
	Count        int64  `json:"count"`
	Bytes        int64  `json:"bytes"`
	LastModified string `json:"last_modified"`
	Subdir       string `json:"subdir"`
}

// ObjectEntry is one entry of a container listing; Subdir is set (and the
// rest empty) for a pseudo-directory when listing with a delimiter.
type ObjectEntry struct {
	Name         string `json:"name"`
	Bytes        int64  `json:"bytes"`
	Hash         string `json:"hash"`
	ContentType  string `json:"content_type"`
	LastModified string `json:"last_modified"`
	Subdir       string `json:"subdir"`
	VersionID    string `json:"version_id"`
	IsLatest     bool   `json:"is_latest"`
}

// cstrings converts Go strings to C strings; a string holding a NUL byte
// is refused rather than silently cut short.
func cstrings(ss ...string) ([]*C.char, func(), error) {
	out := make([]*C.char, 0, len(ss))
	free := func() {
		for _, p := range out {
			C.free(unsafe.Pointer(p))
		}
	}
	for _, s := range ss {
		if strings.IndexByte(s, 0) >= 0 {
			free()
			return nil, nil, &Error{Status: StatusInvalidArgument,
				Message: "string contains a NUL byte: " + strings.ReplaceAll(s, "\x00", `\0`)}
		}
		out = append(out, C.CString(s))
	}
	return out, free, nil
}

type cfunc func(cl *C.swc_client, tok *C.swc_cancel, res, errRec **C.char) C.swc_status

// call runs one blocking C call with the client pinned open and ctx wired
// to a cancel token, and decodes its record. s (may be nil) is the state
// its callbacks use: their errors become the error's cause and their
// panics are re-raised here.
func (c *Client) call(ctx context.Context, s *callState, f cfunc) (*Response, error) {
	raw, err := c.callRaw(ctx, s, f)
	if err != nil {
		return nil, err
	}
	out := &Response{Raw: raw}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, err
	}
	return out, nil
}

// callRaw is call returning the record undecoded (for records whose keys
// differ from Response's, e.g. an upload_object's word status).
func (c *Client) callRaw(ctx context.Context, s *callState, f cfunc) ([]byte, error) {
	cl, err := c.acquire()
	if err != nil {
		return nil, err
	}
	var res, errRec *C.char
	var st C.swc_status
	c.withCancel(ctx, func(tok *C.swc_cancel) { st = f(cl, tok, &res, &errRec) })
	c.mu.RUnlock()
	var raw []byte
	var callErr error
	if st != 0 {
		var cause error
		if s != nil {
			cause = s.cause()
		}
		if cause == nil {
			cause = c.cancelCause(ctx)
		}
		callErr = takeError(st, errRec, cause)
	} else {
		raw = []byte(C.GoString(res))
		C.swc_string_free(res)
	}
	if s != nil {
		s.rethrow()
	}
	return raw, callErr
}

// options marshals an options map; empty means NULL.
func optionsJSON(m map[string]interface{}) (*C.char, error) {
	if len(m) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, &Error{Status: StatusInvalidArgument, Message: "options: " + err.Error(), cause: err}
	}
	return C.CString(string(b)), nil
}

// request runs a C call taking (strings..., options): names become C
// strings (a NUL byte is refused), opts the options JSON, and s (may be
// nil) the state the call's callbacks reach through ud, a cgo.Handle. It
// stays an integer on the Go side (an unsafe.Pointer holding a handle
// would trip the garbage collector's stack checks): convert it with
// C.gsw_ud only in the C call's argument list.
func (c *Client) request(ctx context.Context, s *callState, names []string, opts map[string]interface{},
	f func(cl *C.swc_client, cs []*C.char, o *C.char, ud C.uintptr_t, tok *C.swc_cancel, res, errRec **C.char) C.swc_status) (*Response, error) {
	var ud C.uintptr_t
	if s != nil {
		h := cgo.NewHandle(s)
		defer h.Delete()
		ud = C.uintptr_t(h)
	}
	cs, free, err := cstrings(names...)
	if err != nil {
		return nil, err
	}
	defer free()
	o, err := optionsJSON(opts)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(o))
	return c.call(ctx, s, func(cl *C.swc_client, tok *C.swc_cancel, res, errRec **C.char) C.swc_status {
		return f(cl, cs, o, ud, tok, res, errRec)
	})
}

// simple is request for calls without callbacks.
func (c *Client) simple(ctx context.Context, names []string, opts map[string]interface{},
	f func(cl *C.swc_client, cs []*C.char, o *C.char, tok *C.swc_cancel, res, errRec **C.char) C.swc_status) (*Response, error) {
	return c.request(ctx, nil, names, opts, func(cl *C.swc_client, cs []*C.char, o *C.char, _ C.uintptr_t,
		tok *C.swc_cancel, res, errRec **C.char) C.swc_status {
		return f(cl, cs, o, tok, res, errRec)
	})
}

func reqOpts(o *RequestOptions) map[string]interface{} {
	m := map[string]interface{}{}
	o.fill(m)
	return m
}

// HeadAccount returns the account's headers (X-Account-*).
func (c *Client) HeadAccount(ctx context.Context, o *RequestOptions) (*Response, error) {
	return c.simple(ctx, nil, reqOpts(o), func(cl *C.swc_client, _ []*C.char, op *C.char, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_account_head(cl, op, tok, res, e)
	})
}

// PostAccount sets account metadata from o.Headers.
func (c *Client) PostAccount(ctx context.Context, o *RequestOptions) (*Response, error) {
	return c.simple(ctx, nil, reqOpts(o), func(cl *C.swc_client, _ []*C.char, op *C.char, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_account_post(cl, op, nil, 0, tok, res, e)
	})
}

// HeadContainer returns a container's headers; a missing container is
// ErrNotFound.
func (c *Client) HeadContainer(ctx context.Context, container string, o *RequestOptions) (*Response, error) {
	return c.simple(ctx, []string{container}, reqOpts(o), func(cl *C.swc_client, s []*C.char, op *C.char, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_container_head(cl, s[0], op, tok, res, e)
	})
}

// PutContainer creates a container (or updates its metadata).
func (c *Client) PutContainer(ctx context.Context, container string, o *RequestOptions) (*Response, error) {
	return c.simple(ctx, []string{container}, reqOpts(o), func(cl *C.swc_client, s []*C.char, op *C.char, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_container_put(cl, s[0], op, tok, res, e)
	})
}

// PostContainer updates a container's metadata.
func (c *Client) PostContainer(ctx context.Context, container string, o *RequestOptions) (*Response, error) {
	return c.simple(ctx, []string{container}, reqOpts(o), func(cl *C.swc_client, s []*C.char, op *C.char, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_container_post(cl, s[0], op, tok, res, e)
	})
}

// DeleteContainer deletes an empty container (ErrConflict when it is not).
func (c *Client) DeleteContainer(ctx context.Context, container string, o *RequestOptions) (*Response, error) {
	return c.simple(ctx, []string{container}, reqOpts(o), func(cl *C.swc_client, s []*C.char, op *C.char, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_container_delete(cl, s[0], op, tok, res, e)
	})
}

// HeadObject returns an object's headers and metadata.
func (c *Client) HeadObject(ctx context.Context, container, object string, o *RequestOptions) (*Response, error) {
	return c.simple(ctx, []string{container, object}, reqOpts(o), func(cl *C.swc_client, s []*C.char, op *C.char, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_object_head(cl, s[0], s[1], op, tok, res, e)
	})
}

// PostObject replaces an object's metadata with o.Headers.
func (c *Client) PostObject(ctx context.Context, container, object string, o *RequestOptions) (*Response, error) {
	return c.simple(ctx, []string{container, object}, reqOpts(o), func(cl *C.swc_client, s []*C.char, op *C.char, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_object_post(cl, s[0], s[1], op, tok, res, e)
	})
}

// DeleteObject deletes one object (its segments stay: use Delete for
// large objects).
func (c *Client) DeleteObject(ctx context.Context, container, object string, o *RequestOptions) (*Response, error) {
	return c.simple(ctx, []string{container, object}, reqOpts(o), func(cl *C.swc_client, s []*C.char, op *C.char, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_object_delete(cl, s[0], s[1], op, tok, res, e)
	})
}

// CopyObject copies an object server-side to o.Destination.
func (c *Client) CopyObject(ctx context.Context, container, object string, o CopyOptions) (*Response, error) {
	m := reqOpts(&o.RequestOptions)
	m["destination"] = o.Destination
	if o.DestinationAccount != "" {
		m["destination_account"] = o.DestinationAccount
	}
	if o.FreshMetadata {
		m["fresh_metadata"] = true
	}
	return c.simple(ctx, []string{container, object}, m, func(cl *C.swc_client, s []*C.char, op *C.char, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_object_copy(cl, s[0], s[1], op, tok, res, e)
	})
}

// bodyLength finds out how many bytes r will deliver, or -1.
func bodyLength(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case *os.File:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		pos, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		return fi.Size() - pos
	}
	return -1
}

// PutObject uploads r as an object, streaming (memory stays one chunk).
// When r is also an io.Seeker the upload is retried after a failure by
// seeking back; otherwise a failed attempt is final. The returned
// Response has ETag, MD5 and Bytes.
func (c *Client) PutObject(ctx context.Context, container, object string, r io.Reader, o *PutOptions) (*Response, error) {
	if o == nil {
		o = &PutOptions{}
	}
	m := reqOpts(&o.RequestOptions)
	if o.ContentType != "" {
		m["content_type"] = o.ContentType
	}
	if o.ETag != "" {
		m["etag"] = o.ETag
	}
	if o.SkipChecksum {
		m["checksum"] = false
	}
	length := o.Length
	if length <= 0 {
		length = bodyLength(r)
	}
	s := &callState{r: r}
	rewind := C.swc_rewind_fn(nil)
	if sk, ok := r.(io.Seeker); ok {
		if pos, err := sk.Seek(0, io.SeekCurrent); err == nil {
			s.seeker, s.start = sk, pos
			rewind = C.swc_rewind_fn(C.gsw_rewind)
		}
	}
	return c.request(ctx, s, []string{container, object}, m, func(cl *C.swc_client, cs []*C.char, op *C.char,
		ud C.uintptr_t, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_object_put(cl, cs[0], cs[1], op, C.swc_read_fn(C.gsw_read), rewind, C.gsw_ud(ud),
			C.int64_t(length), tok, res, e)
	})
}

// GetObject streams an object into w. The length is always verified and
// the MD5 of whole plain objects too; a broken body is resumed with Range +
// If-Match so w sees every byte exactly once. An error from w stops the
// download and is the returned error's cause.
func (c *Client) GetObject(ctx context.Context, container, object string, w io.Writer, o *GetOptions) (*Response, error) {
	m := map[string]interface{}{}
	if o != nil {
		o.fill(m)
		if o.SkipChecksum {
			m["checksum"] = false
		}
		if o.NoResume {
			m["resume"] = false
		}
	}
	return c.request(ctx, &callState{w: w}, []string{container, object}, m, func(cl *C.swc_client, cs []*C.char,
		op *C.char, ud C.uintptr_t, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_object_get(cl, cs[0], cs[1], op, C.swc_write_fn(C.gsw_write), C.gsw_ud(ud), tok, res, e)
	})
}

func (o *ListOptions) toMap() map[string]interface{} {
	m := map[string]interface{}{"full_listing": true}
	if o == nil {
		return m
	}
	o.fill(m)
	for k, v := range map[string]string{"prefix": o.Prefix, "delimiter": o.Delimiter,
		"marker": o.Marker, "end_marker": o.EndMarker, "path": o.Path, "version_marker": o.VersionMarker} {
		if v != "" {
			m[k] = v
		}
	}
	if o.Limit > 0 {
		m["limit"] = o.Limit
		delete(m, "full_listing")
	}
	if o.Reverse {
		m["reverse"] = true
	}
	if o.Versions {
		m["versions"] = true
	}
	return m
}

func (c *Client) listPages(ctx context.Context, container *string, o *ListOptions, page func([]byte) error) (*Response, error) {
	var names []string
	if container != nil {
		names = []string{*container}
	}
	return c.request(ctx, &callState{page: page}, names, o.toMap(), func(cl *C.swc_client, cs []*C.char,
		op *C.char, ud C.uintptr_t, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		if container == nil {
			return C.swc_account_list(cl, op, C.swc_page_fn(C.gsw_page), C.gsw_ud(ud), tok, res, e)
		}
		return C.swc_container_list(cl, cs[0], op, C.swc_page_fn(C.gsw_page), C.gsw_ud(ud), tok, res, e)
	})
}

// ListContainersPages calls fn with each page of the account listing (up
// to 10 000 entries each); memory stays one page. fn's error stops it.
func (c *Client) ListContainersPages(ctx context.Context, o *ListOptions, fn func([]ContainerEntry) error) error {
	_, err := c.listPages(ctx, nil, o, func(b []byte) error {
		var page []ContainerEntry
		if err := json.Unmarshal(b, &page); err != nil {
			return err
		}
		return fn(page)
	})
	return err
}

// ListContainers returns the whole account listing.
func (c *Client) ListContainers(ctx context.Context, o *ListOptions) ([]ContainerEntry, error) {
	var all []ContainerEntry
	err := c.ListContainersPages(ctx, o, func(p []ContainerEntry) error { all = append(all, p...); return nil })
	return all, err
}

// ListObjectsPages calls fn with each page of a container listing.
func (c *Client) ListObjectsPages(ctx context.Context, container string, o *ListOptions, fn func([]ObjectEntry) error) error {
	_, err := c.listPages(ctx, &container, o, func(b []byte) error {
		var page []ObjectEntry
		if err := json.Unmarshal(b, &page); err != nil {
			return err
		}
		return fn(page)
	})
	return err
}

// ListObjects returns a container's whole listing.
func (c *Client) ListObjects(ctx context.Context, container string, o *ListOptions) ([]ObjectEntry, error) {
	var all []ObjectEntry
	err := c.ListObjectsPages(ctx, container, o, func(p []ObjectEntry) error { all = append(all, p...); return nil })
	return all, err
}
