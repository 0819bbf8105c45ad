module swiftclient

go 1.19
