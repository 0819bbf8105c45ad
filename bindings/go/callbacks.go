package swiftclient

/*
#include <stddef.h>
#include <stdint.h>
#include <swiftclient.h>
*/
import "C"

import (
	"errors"
	"io"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// callState is what the callbacks of one call reach through a cgo.Handle.
// Data crossing from C (records, pages, chunks) is copied inside the
// callback: nothing borrowed outlives it.
type callState struct {
	// Per-request bodies.
	r      io.Reader
	seeker io.Seeker
	start  int64
	eof    bool
	w      io.Writer
	page   func([]byte) error

	// Bulk operations.
	record   func([]byte) error
	progress func([]byte)
	done     chan struct{}
	status   C.swc_status
	summary  []byte

	mu       sync.Mutex
	err      error // the first error a reader, writer or callback returned
	panicked bool
	panicVal interface{}
}

func (s *callState) fail(err error) {
	s.mu.Lock()
	if s.err == nil && !s.panicked {
		s.err = err
	}
	s.mu.Unlock()
}

// guard runs Go code called from C: an error or a panic is recorded (the
// panic is re-raised by rethrow once the C call has returned) and reported
// as false, so the library stops the call; nothing unwinds through C.
func (s *callState) guard(f func() error) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			s.mu.Lock()
			if !s.panicked {
				s.panicked, s.panicVal = true, p
			}
			s.mu.Unlock()
			ok = false
		}
	}()
	if err := f(); err != nil {
		s.fail(err)
		return false
	}
	return true
}

// rethrow re-raises a callback's panic on the caller's goroutine.
func (s *callState) rethrow() {
	s.mu.Lock()
	p, v := s.panicked, s.panicVal
	s.mu.Unlock()
	if p {
		panic(v)
	}
}

// cause is the error a callback returned, if any.
func (s *callState) cause() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func state(h C.uintptr_t) *callState {
	return cgo.Handle(h).Value().(*callState)
}

// goBytes copies C memory into a new Go slice.
func goBytes(p unsafe.Pointer, n C.size_t) []byte {
	if n == 0 {
		return []byte{}
	}
	return C.GoBytes(p, C.int(n))
}

//export goRead
func goRead(h C.uintptr_t, buf *C.uint8_t, capacity C.size_t) C.ptrdiff_t {
	s := state(h)
	if s.eof || capacity == 0 {
		return 0
	}
	dst := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(capacity))
	var n int
	ok := s.guard(func() error {
		for tries := 0; n == 0; tries++ {
			if tries == 100 {
				return io.ErrNoProgress
			}
			m, err := s.r.Read(dst)
			n = m
			if errors.Is(err, io.EOF) {
				s.eof = true
				return nil
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if !ok {
		return -1
	}
	return C.ptrdiff_t(n)
}

//export goRewind
func goRewind(h C.uintptr_t) C.int {
	s := state(h)
	if s.seeker == nil {
		return -1
	}
	ok := s.guard(func() error {
		_, err := s.seeker.Seek(s.start, io.SeekStart)
		return err
	})
	if !ok {
		return -1
	}
	s.eof = false
	return 0
}

//export goWrite
func goWrite(h C.uintptr_t, buf *C.uint8_t, n C.size_t) C.int {
	s := state(h)
	src := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(n))
	ok := s.guard(func() error {
		// The chunk is borrowed: io.Writer must not retain it, as its
		// contract says, so it is passed without a copy.
		_, err := s.w.Write(src)
		return err
	})
	if !ok {
		return 1
	}
	return 0
}

//export goPage
func goPage(h C.uintptr_t, json *C.char, n C.size_t) C.int {
	s := state(h)
	b := goBytes(unsafe.Pointer(json), n)
	if !s.guard(func() error { return s.page(b) }) {
		return 1
	}
	return 0
}

//export goRecord
func goRecord(h C.uintptr_t, json *C.char, n C.size_t) C.int {
	s := state(h)
	if s.record == nil {
		return 0
	}
	b := goBytes(unsafe.Pointer(json), n)
	if !s.guard(func() error { return s.record(b) }) {
		return 1
	}
	return 0
}

//export goProgress
func goProgress(h C.uintptr_t, json *C.char, n C.size_t) {
	s := state(h)
	if s.progress == nil {
		return
	}
	b := goBytes(unsafe.Pointer(json), n)
	s.guard(func() error { s.progress(b); return nil })
}

//export goDone
func goDone(h C.uintptr_t, status C.swc_status, json *C.char, n C.size_t) {
	s := state(h)
	s.status = status
	s.summary = goBytes(unsafe.Pointer(json), n)
	close(s.done)
}

// logState is a client's log callback.
type logState struct {
	fn func(level LogLevel, msg string)
}

//export goLog
func goLog(h C.uintptr_t, level C.int, msg *C.char, n C.size_t) {
	ls, ok := cgo.Handle(h).Value().(*logState)
	if !ok || ls.fn == nil {
		return
	}
	line := C.GoStringN(msg, C.int(n))
	// A log callback cannot stop anything: a panic in it is dropped here
	// rather than unwinding into the library's threads.
	defer func() { _ = recover() }()
	ls.fn(LogLevel(level), line)
}

//export goAuthState
func goAuthState(h C.uintptr_t, json *C.char, n C.size_t) {
	a, ok := cgo.Handle(h).Value().(*authStateFn)
	if !ok || a.fn == nil {
		return
	}
	state := C.GoStringN(json, C.int(n))
	// Nothing to stop: a panic is dropped rather than unwinding into the
	// library's threads.
	defer func() { _ = recover() }()
	a.fn(state)
}

//export goCredential
func goCredential(h C.uintptr_t, req *C.char, n C.size_t, reply *C.char, capacity C.size_t) C.ptrdiff_t {
	cs, ok := cgo.Handle(h).Value().(*credentialFn)
	if !ok || cs.fn == nil {
		return -1
	}
	request := C.GoStringN(req, C.int(n))
	var answer []byte
	var failed bool
	func() {
		// A panic refuses, rather than unwinding into the library's threads.
		defer func() {
			if recover() != nil {
				failed = true
			}
		}()
		var err error
		answer, err = cs.fn(request)
		failed = err != nil
	}()
	if failed || len(answer) > int(capacity) {
		return -1
	}
	out := unsafe.Slice((*byte)(unsafe.Pointer(reply)), int(capacity))
	copy(out, answer)
	// The caller's copy of the secret is overwritten as well.
	for i := range answer {
		answer[i] = 0
	}
	return C.ptrdiff_t(len(answer))
}
