// Package proxy is CLP's request path (DESIGN §4): one http.Handler per
// service, parameterized by a protocol adapter, that reads the client's body,
// picks the upstream configs to try, forwards the request with the config's
// credential and streams the answer back byte for byte, flushing every read.
package proxy
