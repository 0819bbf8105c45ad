package swiftclient

// CheckVersions exposes the version comparison to the tests.
var CheckVersions = checkVersions

// HeaderVersion is the swiftclient.h version cgo compiled against.
var HeaderVersion = headerVersion
