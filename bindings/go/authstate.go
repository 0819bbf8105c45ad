package swiftclient

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime/cgo"
	"unsafe"
)

// ExportAuth returns the current authentication as a saved state (JSON),
// authenticating first if needed. It holds the token: store it as a
// secret. Give it to ImportAuth after a restart to skip authenticating.
func (c *Client) ExportAuth(ctx context.Context) (string, error) {
	cl, err := c.acquire()
	if err != nil {
		return "", err
	}
	defer c.mu.RUnlock()
	var res, errRec *C.char
	var st C.swc_status
	c.withCancel(ctx, func(tok *C.swc_cancel) { st = C.swc_client_export_auth(cl, tok, &res, &errRec) })
	if st != 0 {
		return "", takeError(st, errRec, c.cancelCause(ctx))
	}
	defer C.swc_string_free(res)
	return C.GoString(res), nil
}

// ImportAuth restores a state from ExportAuth (or OnAuthState): its token
// is used until it expires or is refused, then the client authenticates
// with its credentials. It reports false for an expired state (ignored); a
// state of another identity (auth URL, user, project, catalog filters) is
// an error with StatusConfig.
func (c *Client) ImportAuth(state string) (bool, error) {
	cl, err := c.acquire()
	if err != nil {
		return false, err
	}
	defer c.mu.RUnlock()
	cs := C.CString(state)
	defer C.free(unsafe.Pointer(cs))
	var res, errRec *C.char
	if st := C.swc_client_import_auth(cl, cs, &res, &errRec); st != 0 {
		return false, takeError(st, errRec, nil)
	}
	defer C.swc_string_free(res)
	var out struct {
		Imported bool `json:"imported"`
	}
	if err := json.Unmarshal([]byte(C.GoString(res)), &out); err != nil {
		return false, err
	}
	return out.Imported, nil
}

type authStateFn struct{ fn func(state string) }

// OnAuthState calls fn with the new saved state after every
// authentication (first, refresh, after a 401), to persist it; nil turns
// it off. fn runs on a library thread: quick, and must not call the client.
func (c *Client) OnAuthState(fn func(state string)) error {
	var value interface{}
	if fn != nil {
		value = &authStateFn{fn: fn}
	}
	return c.swapCallback(&c.authCb, value, "swc_client_set_auth_callback", func(ud unsafe.Pointer) C.swc_status {
		if ud == nil {
			return C.swc_client_set_auth_callback(c.c, nil, nil)
		}
		return C.swc_client_set_auth_callback(c.c, C.swc_auth_state_fn(C.gsw_auth_state), ud)
	})
}

type credentialFn struct {
	fn func(request string) ([]byte, error)
}

// OnCredentials gives the client's secret at each authentication, for a
// client created with "credentials_from_callback": true (its options hold
// no key, password or application credential secret). fn gets the request
// ({"needs", "auth_url", "user", "reason"}) and returns the reply, e.g.
// {"password": "..."}; the returned slice is overwritten after use. An
// error refuses (the call authenticating fails with StatusAuth). fn runs on
// a library thread, at most once per authentication; nil removes it.
func (c *Client) OnCredentials(fn func(request string) ([]byte, error)) error {
	var value interface{}
	if fn != nil {
		value = &credentialFn{fn: fn}
	}
	return c.swapCallback(&c.credCb, value, "swc_client_set_credential_callback", func(ud unsafe.Pointer) C.swc_status {
		if ud == nil {
			return C.swc_client_set_credential_callback(c.c, nil, nil)
		}
		return C.swc_client_set_credential_callback(c.c, C.swc_credential_fn(C.gsw_credential), ud)
	})
}

// swapCallback installs value (nil: none) as a library callback's user
// data through set, which gets the handle as user_data (nil for none), and
// frees the previous handle in slot once the library no longer calls it
// (the setters wait for calls in flight).
func (c *Client) swapCallback(slot *cgo.Handle, value interface{}, name string, set func(ud unsafe.Pointer) C.swc_status) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	var h cgo.Handle
	var ud unsafe.Pointer
	if value != nil {
		h = cgo.NewHandle(value)
		ud = C.gsw_ud(C.uintptr_t(h))
	}
	if st := set(ud); st != 0 {
		if h != 0 {
			h.Delete()
		}
		return &Error{Status: Status(st), Message: name + " failed"}
	}
	if *slot != 0 {
		slot.Delete()
	}
	*slot = h
	return nil
}
