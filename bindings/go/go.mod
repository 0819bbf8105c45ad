module github.com/libswiftclient/libswiftclient/bindings/go

go 1.19
