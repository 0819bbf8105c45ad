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
	"strconv"
	"time"
	"unsafe"
)

// TempURLOptions are swc_tempurl's request: Path is "/v1/AUTH_a/c/o" (the
// URL returned is then path and query) or a full URL (then a full URL).
type TempURLOptions struct {
	Path string
	// Key is the account's or container's Temp-URL-Key.
	Key string
	// Method is the one HTTP method the URL allows; default GET.
	Method string
	// Expires is the URL's lifetime; ExpiresAt, when set, an absolute
	// expiry instead.
	Expires   time.Duration
	ExpiresAt time.Time
	// Prefix signs a prefix-based URL: Path ends at the object prefix.
	Prefix bool
	// ISO8601 writes the expiry as ISO 8601 rather than a Unix time.
	ISO8601 bool
	// IPRange limits the URL to clients in "a.b.c.d[/n]".
	IPRange string
	// Digest: "sha1", "sha256" (default) or "sha512".
	Digest string
}

// lifetime is the request's "seconds" and "absolute" keys.
func lifetime(expires time.Duration, at time.Time) (interface{}, bool) {
	if !at.IsZero() {
		return at.Unix(), true
	}
	return int64(expires / time.Second), false
}

// sign runs one of the clientless signing calls (no network, thread-safe).
func sign(q map[string]interface{}, f func(rq *C.char, out, errRec **C.char) C.swc_status) (string, error) {
	if err := checkLibrary(); err != nil {
		return "", err
	}
	js, err := json.Marshal(q)
	if err != nil {
		return "", &Error{Status: StatusInvalidArgument, Message: "request: " + err.Error(), cause: err}
	}
	creq := C.CString(string(js))
	defer C.free(unsafe.Pointer(creq))
	var out, errRec *C.char
	if st := f(creq, &out, &errRec); st != 0 {
		return "", takeError(st, errRec, nil)
	}
	defer C.swc_string_free(out)
	return C.GoString(out), nil
}

// TempURL signs a temporary URL exactly as python-swiftclient's
// generate_temp_url does. No network.
func TempURL(o TempURLOptions) (string, error) {
	secs, abs := lifetime(o.Expires, o.ExpiresAt)
	// swc_tempurl signs the method it is given, an empty one included
	// (a URL no request matches): the documented default is applied here.
	if o.Method == "" {
		o.Method = "GET"
	}
	q := req{"path": o.Path, "key": o.Key, "seconds": secs}.flag("absolute", abs).
		str("method", o.Method).flag("prefix", o.Prefix).flag("iso8601", o.ISO8601).
		str("ip_range", o.IPRange).str("digest", o.Digest)
	return sign(q, func(rq *C.char, out, e **C.char) C.swc_status { return C.swc_tempurl(rq, out, e) })
}

// FormPostOptions are swc_formpost_signature's request.
type FormPostOptions struct {
	// Path is the form's target, "/v1/AUTH_a/container[/object_prefix]".
	Path string
	Key  string
	// Redirect is where the browser goes after the upload ("" for none).
	Redirect     string
	MaxFileSize  int64
	MaxFileCount int64
	Expires      time.Duration
	ExpiresAt    time.Time
	Digest       string
}

// FormPostFields are a FormPost form's hidden fields.
type FormPostFields struct {
	Path         string `json:"path"`
	Redirect     string `json:"redirect"`
	MaxFileSize  int64  `json:"max_file_size"`
	MaxFileCount int64  `json:"max_file_count"`
	Expires      int64  `json:"expires"`
	Signature    string `json:"signature"`
}

// Values gives the form fields the formpost middleware reads (all but
// Path, which is the form's action).
func (f *FormPostFields) Values() map[string]string {
	return map[string]string{
		"redirect":       f.Redirect,
		"max_file_size":  strconv.FormatInt(f.MaxFileSize, 10),
		"max_file_count": strconv.FormatInt(f.MaxFileCount, 10),
		"expires":        strconv.FormatInt(f.Expires, 10),
		"signature":      f.Signature,
	}
}

// FormPostSignature signs a FormPost form (the formpost middleware's
// browser uploads). No network.
func FormPostSignature(o FormPostOptions) (*FormPostFields, error) {
	secs, abs := lifetime(o.Expires, o.ExpiresAt)
	q := req{"path": o.Path, "key": o.Key, "seconds": secs, "redirect": o.Redirect,
		"max_file_size": o.MaxFileSize, "max_file_count": o.MaxFileCount}.
		flag("absolute", abs).str("digest", o.Digest)
	out, err := sign(q, func(rq *C.char, res, e **C.char) C.swc_status {
		return C.swc_formpost_signature(rq, res, e)
	})
	if err != nil {
		return nil, err
	}
	var f FormPostFields
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// RawRequestOptions tune Request.
type RawRequestOptions struct {
	RequestOptions
	// Root makes the path relative to scheme://host:port instead of the
	// storage URL (e.g. "/healthcheck").
	Root bool
	// NoAuth sends no token.
	NoAuth bool
	// Length is the body's size when the reader's cannot be found out;
	// 0 means unknown (chunked).
	Length int64
}

// RawResponse is Request's record: Response plus the body when no writer
// was given.
type RawResponse struct {
	Response
	// Body is the response body (at most 1 MiB; pass a writer for more),
	// set only when Request had no writer.
	Body string `json:"body"`
}

// Request is the escape hatch (swc_request): any method on path below the
// storage URL ("" for the account, "/c" for a container, "/c/o" for an
// object; percent-encoded by the library), with the client's token, retries and error records. body
// (may be nil) is sent, retried when it is an io.Seeker; the response body
// goes to w, or into RawResponse.Body when w is nil.
func (c *Client) Request(ctx context.Context, method, path string, body io.Reader, w io.Writer,
	o *RawRequestOptions) (*RawResponse, error) {
	m := map[string]interface{}{}
	length := int64(-1)
	if o != nil {
		o.fill(m)
		if o.Root {
			m["base"] = "root"
		}
		if o.NoAuth {
			m["auth"] = false
		}
		if o.Length > 0 {
			length = o.Length
		}
	}
	s := &callState{r: body, w: w}
	read, rewind := C.swc_read_fn(nil), C.swc_rewind_fn(nil)
	if body != nil {
		read = C.swc_read_fn(C.gsw_read)
		if length < 0 {
			length = bodyLength(body)
		}
		if sk, ok := body.(io.Seeker); ok {
			if pos, err := sk.Seek(0, io.SeekCurrent); err == nil {
				s.seeker, s.start = sk, pos
				rewind = C.swc_rewind_fn(C.gsw_rewind)
			}
		}
	}
	write := C.swc_write_fn(nil)
	if w != nil {
		write = C.swc_write_fn(C.gsw_write)
	}
	resp, err := c.request(ctx, s, []string{method, path}, m, func(cl *C.swc_client, cs []*C.char, op *C.char,
		ud C.uintptr_t, tok *C.swc_cancel, res, e **C.char) C.swc_status {
		return C.swc_request(cl, cs[0], cs[1], op, read, rewind, C.gsw_ud(ud), C.int64_t(length),
			write, C.gsw_ud(ud), tok, res, e)
	})
	if err != nil {
		return nil, err
	}
	out := &RawResponse{Response: *resp}
	var b struct {
		Body string `json:"body"`
	}
	_ = json.Unmarshal(resp.Raw, &b)
	out.Body = b.Body
	return out, nil
}

// InfoOptions tune Info.
type InfoOptions struct {
	// URL is the cluster's base URL, e.g. "http://proxy:8080"; default the
	// storage URL's scheme, host and port.
	URL     string
	Headers map[string]string
}

// Info fetches the cluster's /info document (capabilities: "swift",
// "slo", "tempurl", ...) with one request and no token (swc_info).
// Capabilities does the same through the bulk operation, cached.
func (c *Client) Info(ctx context.Context, o *InfoOptions) (map[string]interface{}, error) {
	m := map[string]interface{}{}
	if o != nil {
		if o.URL != "" {
			m["url"] = o.URL
		}
		if len(o.Headers) > 0 {
			m["headers"] = o.Headers
		}
	}
	resp, err := c.simple(ctx, nil, m, func(cl *C.swc_client, _ []*C.char, op *C.char, tok *C.swc_cancel,
		res, e **C.char) C.swc_status {
		return C.swc_info(cl, op, tok, res, e)
	})
	if err != nil {
		return nil, err
	}
	var rec struct {
		Info map[string]interface{} `json:"info"`
	}
	if err := json.Unmarshal(resp.Raw, &rec); err != nil {
		return nil, err
	}
	return rec.Info, nil
}
