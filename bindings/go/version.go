package swiftclient

/*
#include <swiftclient.h>
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
)

// LibraryVersion is the libswiftclient version this binding was written
// and built for. The C library promises a stable ABI only within a release
// line (0.1.z), so New, NewFromEnv and NewWithConfig refuse to run against
// a library of another major.minor, found at run time, or a header of
// another major.minor, found at build time.
const LibraryVersion = "0.1.0"

// headerVersion is the version of the swiftclient.h cgo compiled against.
var headerVersion = fmt.Sprintf("%d.%d.%d", C.SWC_VERSION_MAJOR, C.SWC_VERSION_MINOR, C.SWC_VERSION_PATCH)

var (
	versionOnce sync.Once
	versionErr  error
)

// checkLibrary compares the versions once per process: a shared library
// cannot change under a running program.
func checkLibrary() error {
	versionOnce.Do(func() { versionErr = checkVersions(LibraryVersion, headerVersion, Version()) })
	return versionErr
}

// majorMinor is "X.Y" of "X.Y.Z" (pre-release and build suffixes aside).
func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// checkVersions fails when the header compiled against or the library
// loaded is of another release line than want.
func checkVersions(want, header, runtime string) error {
	if majorMinor(header) != majorMinor(want) {
		return &Error{Status: StatusUnsupported, Message: fmt.Sprintf(
			"this Go binding is for libswiftclient %s but was compiled against swiftclient.h %s: "+
				"use the binding release made for that library", want, header)}
	}
	if majorMinor(runtime) != majorMinor(want) {
		return &Error{Status: StatusUnsupported, Message: fmt.Sprintf(
			"this Go binding is for libswiftclient %s but the library loaded at run time is %s: "+
				"install libswiftclient %s.z or point LD_LIBRARY_PATH / the rpath at it", want, runtime, majorMinor(want))}
	}
	return nil
}
