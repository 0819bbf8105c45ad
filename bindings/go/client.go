// Package swiftclient is the Go binding of libswiftclient, an OpenStack
// Swift object-storage client with a C ABI. It links the installed C
// library through pkg-config (`#cgo pkg-config: swiftclient`).
//
// A Client is safe for concurrent use by any number of goroutines. Every
// call takes a context.Context: cancelling it stops the call promptly
// (including during a retry's back-off) and the returned error then
// satisfies errors.Is(err, context.Canceled). Failures are *Error values
// carrying the library's status, the HTTP status and the transaction id.
//
// Bulk operations (Upload, Download, Delete, List, Stat, Post, Copy,
// Capabilities) run concurrently inside the library and hand each result
// record to a callback, decoded into a Record. A callback's error or panic
// stops the operation; a panic is re-raised on the calling goroutine once
// the library has finished with the operation, never unwound through C.
package swiftclient

/*
#cgo pkg-config: swiftclient
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// Version is the version of the linked C library (swc_version()).
func Version() string { return C.GoString(C.swc_version()) }

// Options are the client options of swc_client_new, one JSON object: e.g.
// {"auth": ..., "user": ..., "key": ..., "auth_version": "1.0",
// "retries": 5, "insecure": false} ("auth" is the v1 auth URL,
// "os_auth_url" the Keystone one). Unknown keys are errors (ErrConfig,
// with Key naming the offending key). Config is the typed equivalent.
type Options map[string]interface{}

// ErrClosed is returned by calls on a closed Client.
var ErrClosed = errors.New("swiftclient: client is closed")

// Client is a connection to one Swift account: options, token cache and
// connection pool, shared by all goroutines using it.
type Client struct {
	mu  sync.RWMutex
	c   *C.swc_client
	log cgo.Handle
	// authCb, credCb: the handles of the OnAuthState and OnCredentials
	// functions, if any.
	authCb cgo.Handle
	credCb cgo.Handle
	opsMu  sync.Mutex
	ops    map[*C.swc_op]struct{}
	// atClose: what Close runs, under opsMu, to end the calls in flight:
	// each call's cancel token (one request, an authentication...), and
	// the pipes an ObjectReader's GET or an ObjectWriter's upload waits in,
	// which a token alone cannot end. A call waiting on its caller (a
	// reader nobody reads) must not hold Close for ever.
	atClose  map[uint64]func()
	nextHook uint64
	// closing: Close has begun; operations registered from now on are
	// cancelled at once.
	closing bool
	closed  bool
}

func newClient(opts Options, fromEnv bool) (*Client, error) {
	if err := checkLibrary(); err != nil {
		return nil, err
	}
	js, err := marshalOptions(opts)
	if err != nil {
		return nil, err
	}
	var cjs *C.char
	if js != "" {
		cjs = C.CString(js)
		defer C.free(unsafe.Pointer(cjs))
	}
	var cl *C.swc_client
	var errRec *C.char
	var st C.swc_status
	if fromEnv {
		st = C.swc_client_new_from_env(cjs, &cl, &errRec)
	} else {
		st = C.swc_client_new(cjs, &cl, &errRec)
	}
	if st != 0 {
		return nil, takeError(st, errRec, nil)
	}
	c := &Client{c: cl, ops: map[*C.swc_op]struct{}{}, atClose: map[uint64]func(){}}
	runtime.SetFinalizer(c, func(c *Client) { _ = c.Close() })
	return c, nil
}

// New makes a client from options; it does not touch the network.
func New(opts Options) (*Client, error) { return newClient(opts, false) }

// NewFromEnv makes a client from the ST_* / OS_* environment variables the
// `swift` command line reads, with opts (may be nil) taking precedence.
func NewFromEnv(opts Options) (*Client, error) { return newClient(opts, true) }

func marshalOptions(opts interface{}) (string, error) {
	if opts == nil {
		return "", nil
	}
	b, err := json.Marshal(opts)
	if err != nil {
		return "", &Error{Status: StatusInvalidArgument, Message: "options: " + err.Error(), cause: err}
	}
	if string(b) == "null" {
		return "", nil
	}
	return string(b), nil
}

// Close cancels the client's running bulk operations and calls (an open
// ObjectReader's GET and ObjectWriter's upload too: their next Read or
// Write returns an error whose cause is ErrClosed), waits for them to
// return, and frees the client. Calling it again is a no-op.
func (c *Client) Close() error {
	c.opsMu.Lock()
	c.closing = true
	for op := range c.ops {
		C.swc_op_cancel(op)
	}
	// Under the lock: a call unregisters its hook (under it too) before
	// freeing its token, so no hook runs on a freed token.
	for _, f := range c.atClose {
		f()
	}
	c.atClose = map[uint64]func(){}
	c.opsMu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	runtime.SetFinalizer(c, nil)
	C.swc_client_free(c.c)
	c.c = nil
	if c.log != 0 {
		c.log.Delete()
		c.log = 0
	}
	if c.authCb != 0 {
		c.authCb.Delete()
		c.authCb = 0
	}
	if c.credCb != 0 {
		c.credCb.Delete()
		c.credCb = 0
	}
	return nil
}

// acquire pins the client open for the length of a call; release with
// c.mu.RUnlock().
func (c *Client) acquire() (*C.swc_client, error) {
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return nil, ErrClosed
	}
	return c.c, nil
}

// LogLevel is one of the SWC_LOG_* levels.
type LogLevel int

// Log levels.
const (
	LogError LogLevel = 1
	LogWarn  LogLevel = 2
	LogInfo  LogLevel = 3
	LogDebug LogLevel = 4
)

// SetLogger sends the library's log lines up to level to fn (nil turns
// logging off). fn is called from library threads, concurrently: it must be
// safe for that, quick, and must not call the client. Tokens, passwords and
// keys appear as "***". At LogDebug every request is a curl line.
func (c *Client) SetLogger(level LogLevel, fn func(level LogLevel, msg string)) error {
	var value interface{}
	if fn != nil {
		value = &logState{fn: fn}
	}
	return c.swapCallback(&c.log, value, "swc_client_set_log", func(ud unsafe.Pointer) C.swc_status {
		if ud == nil {
			return C.swc_client_set_log(c.c, C.int(LogError), nil, nil)
		}
		return C.swc_client_set_log(c.c, C.int(level), C.swc_log_fn(C.gsw_log), ud)
	})
}

// AuthInfo is what authentication produced.
type AuthInfo struct {
	StorageURL       string  `json:"storage_url"`
	AuthVersion      string  `json:"auth_version"`
	Preauthenticated bool    `json:"preauthenticated"`
	ExpiresAt        string  `json:"expires_at"`
	ExpiresIn        float64 `json:"expires_in"`
	ProjectID        string  `json:"project_id"`
	ProjectName      string  `json:"project_name"`
	// Token is set only when asked for (includeToken).
	Token string `json:"token"`
}

// Auth authenticates now (or returns the still-valid cached token's
// details; force re-authenticates). The token itself is included only when
// includeToken is true. Cancelling ctx ends it, retries and backoff
// included.
func (c *Client) Auth(ctx context.Context, force, includeToken bool) (*AuthInfo, error) {
	if err := ctxCause(ctx); err != nil {
		return nil, &Error{Status: StatusCancelled, Message: "cancelled", cause: err}
	}
	cl, err := c.acquire()
	if err != nil {
		return nil, err
	}
	defer c.mu.RUnlock()
	js, _ := json.Marshal(map[string]bool{"force": force, "include_token": includeToken})
	cjs := C.CString(string(js))
	defer C.free(unsafe.Pointer(cjs))
	var res, errRec *C.char
	var st C.swc_status
	// Cancelling ctx ends the authentication, its retries and backoff too.
	c.withCancel(ctx, func(tok *C.swc_cancel) { st = C.swc_client_auth2(cl, cjs, tok, &res, &errRec) })
	if st != 0 {
		return nil, takeError(st, errRec, c.cancelCause(ctx))
	}
	defer C.swc_string_free(res)
	var info AuthInfo
	if err := json.Unmarshal([]byte(C.GoString(res)), &info); err != nil {
		return nil, err
	}
	return &info, nil
}

// withCancel runs f with a swc_cancel token that ctx triggers, and that
// Close triggers too (see atClose).
func (c *Client) withCancel(ctx context.Context, f func(tok *C.swc_cancel)) {
	var tok *C.swc_cancel
	if C.swc_cancel_new(&tok) != 0 {
		f(nil)
		return
	}
	defer C.swc_cancel_free(tok)
	// Unregistered before the token is freed (defers run last first).
	defer c.onClose(func() { C.swc_cancel_trigger(tok) })()
	if ctx.Done() == nil {
		f(tok)
		return
	}
	stop, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-ctx.Done():
			C.swc_cancel_trigger(tok)
		case <-stop:
		}
	}()
	f(tok)
	close(stop)
	<-finished
}

// onClose registers f for Close to run (at once when Close has begun); the
// function returned unregisters it.
func (c *Client) onClose(f func()) (drop func()) {
	c.opsMu.Lock()
	if c.closing {
		c.opsMu.Unlock()
		f()
		return func() {}
	}
	id := c.nextHook
	c.nextHook++
	c.atClose[id] = f
	c.opsMu.Unlock()
	return func() {
		c.opsMu.Lock()
		delete(c.atClose, id)
		c.opsMu.Unlock()
	}
}

// cancelCause is why a call was cancelled: its context, or Close.
func (c *Client) cancelCause(ctx context.Context) error {
	if err := ctxCause(ctx); err != nil {
		return err
	}
	c.opsMu.Lock()
	defer c.opsMu.Unlock()
	if c.closing {
		return ErrClosed
	}
	return nil
}
