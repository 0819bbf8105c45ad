package swiftclient

/*
#include <swiftclient.h>
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
)

// Status is a libswiftclient status code (swc_status). The values are
// fixed by the C library and never renumbered.
type Status int32

// The status codes: the values of SWC_OK and SWC_E_* in swiftclient.h,
// taken from the header so the two cannot disagree.
const (
	StatusOK              Status = C.SWC_OK
	StatusInvalidArgument Status = C.SWC_E_INVALID_ARGUMENT
	StatusConfig          Status = C.SWC_E_CONFIG
	StatusAuth            Status = C.SWC_E_AUTH
	StatusNotFound        Status = C.SWC_E_NOT_FOUND
	StatusConflict        Status = C.SWC_E_CONFLICT
	StatusPrecondition    Status = C.SWC_E_PRECONDITION
	StatusHTTP            Status = C.SWC_E_HTTP
	StatusTimeout         Status = C.SWC_E_TIMEOUT
	StatusNetwork         Status = C.SWC_E_NETWORK
	StatusTLS             Status = C.SWC_E_TLS
	StatusChecksum        Status = C.SWC_E_CHECKSUM
	StatusCancelled       Status = C.SWC_E_CANCELLED
	StatusWouldDeadlock   Status = C.SWC_E_WOULD_DEADLOCK
	StatusUnsupported     Status = C.SWC_E_UNSUPPORTED
	StatusPanic           Status = C.SWC_E_PANIC
	StatusInternal        Status = C.SWC_E_INTERNAL
)

// String is the C name of the status, e.g. "SWC_E_NOT_FOUND".
func (s Status) String() string {
	return C.GoString(C.swc_status_str(C.swc_status(s)))
}

// Error is a failed call: the library's JSON error record, decoded. Match
// kinds with errors.Is against the sentinels (ErrNotFound, ...), or read
// Status, HTTPStatus and TransactionID directly:
//
//	var se *swiftclient.Error
//	if errors.As(err, &se) { log.Print(se.TransactionID) }
//
// When a call was stopped through its context, errors.Is(err,
// context.Canceled) (or DeadlineExceeded) holds as well.
type Error struct {
	Status        Status          `json:"status"`
	StatusName    string          `json:"status_name"`
	Message       string          `json:"message"`
	HTTPStatus    int             `json:"http_status"`
	HTTPReason    string          `json:"http_reason"`
	TransactionID string          `json:"transaction_id"`
	Method        string          `json:"method"`
	URL           string          `json:"url"`
	Retryable     bool            `json:"retryable"`
	Attempts      int             `json:"attempts"`
	Key           string          `json:"key"`
	Body          string          `json:"body"`
	Summary       json.RawMessage `json:"summary,omitempty"`
	// Raw is the whole error record as the library wrote it.
	Raw json.RawMessage `json:"-"`

	cause error
}

// Sentinels for errors.Is: an *Error matches the sentinel with its Status.
var (
	ErrInvalidArgument = &Error{Status: StatusInvalidArgument}
	ErrConfig          = &Error{Status: StatusConfig}
	ErrAuth            = &Error{Status: StatusAuth}
	ErrNotFound        = &Error{Status: StatusNotFound}
	ErrConflict        = &Error{Status: StatusConflict}
	ErrPrecondition    = &Error{Status: StatusPrecondition}
	ErrHTTP            = &Error{Status: StatusHTTP}
	ErrTimeout         = &Error{Status: StatusTimeout}
	ErrNetwork         = &Error{Status: StatusNetwork}
	ErrTLS             = &Error{Status: StatusTLS}
	ErrChecksum        = &Error{Status: StatusChecksum}
	ErrCancelled       = &Error{Status: StatusCancelled}
	ErrUnsupported     = &Error{Status: StatusUnsupported}
)

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Status.String()
	}
	if e.TransactionID != "" {
		return fmt.Sprintf("swiftclient: %s (%s, transaction %s)", msg, e.Status, e.TransactionID)
	}
	return fmt.Sprintf("swiftclient: %s (%s)", msg, e.Status)
}

// Is reports whether target is a sentinel (or any *Error) with e's Status.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Status == e.Status
}

// Unwrap returns the context's error when the call was cancelled through
// its context, or the error an io.Reader/io.Writer/callback returned.
func (e *Error) Unwrap() error { return e.cause }

// newError decodes an error record; the C string is not freed here.
func newError(st C.swc_status, rec *C.char) *Error {
	e := &Error{Status: Status(st)}
	if rec != nil {
		raw := C.GoString(rec)
		e.Raw = json.RawMessage(raw)
		if err := json.Unmarshal(e.Raw, e); err != nil {
			e.Message = "undecodable error record: " + raw
		}
		e.Status = Status(st)
	}
	if e.StatusName == "" {
		e.StatusName = e.Status.String()
	}
	return e
}

// takeError turns a failed status and its (owned) error record into an
// error, freeing the record. cause, when non-nil, becomes Unwrap's result.
func takeError(st C.swc_status, rec *C.char, cause error) error {
	e := newError(st, rec)
	C.swc_string_free(rec)
	e.cause = cause
	return e
}

// ctxCause is the context's error once it is done, else nil.
func ctxCause(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
		return nil
	}
}
