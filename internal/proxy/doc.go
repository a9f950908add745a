// Package proxy is CLP's request path (DESIGN §4): one http.Handler per
// service, parameterized by a protocol adapter, that reads the client's body,
// picks the upstream configs to try, forwards the request with the config's
// credential and streams the answer back byte for byte, flushing every read.
//
// A body of known length of 128 KiB or more is not read whole first: the
// first attempt sends it, filtered, while it still arrives (upload.go), and
// everything that needs all of it (failover, the repair, the record) waits
// for the rest. Its limit is still checked before a byte is read, from
// Content-Length.
package proxy
