package proxy

import (
	"net/http"
	"net/textproto"
	"strings"
)

// hopHeaders are meaningful only for one connection (RFC 9110 §7.6.1) and are
// never forwarded in either direction.
var hopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// removeHop deletes hop-by-hop headers, including those named in Connection.
func removeHop(h http.Header) {
	for _, v := range h["Connection"] {
		for _, f := range strings.Split(v, ",") {
			if f = textproto.TrimString(f); f != "" {
				h.Del(f)
			}
		}
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
}

// outboundHeader is the client's header as it goes upstream: without
// hop-by-hop headers, Host, Content-Length and the client's credentials (the
// protocol then sets the config's). Everything else — anthropic-beta,
// anthropic-version, session ids, x-stainless-*, Accept-Encoding — is kept.
func outboundHeader(in http.Header) http.Header {
	h := in.Clone()
	removeHop(h)
	h.Del("Host")
	h.Del("Content-Length")
	h.Del("Authorization")
	h.Del("X-Api-Key")
	return h
}

// secretHeaders have their values masked in the request log.
var secretHeaders = map[string]bool{
	"Authorization": true, "X-Api-Key": true, "Cookie": true, "Set-Cookie": true,
	"Proxy-Authorization": true, "Api-Key": true, "X-Goog-Api-Key": true,
}

// maskedHeader copies h for the request log with credentials masked. The
// copy shares nothing with h that h's owner could change: the values of all
// keys live in one new slice (one allocation instead of one per key), each
// key's part capped so that an append cannot spill into the next.
func maskedHeader(h http.Header) map[string][]string {
	n := 0
	for _, vs := range h {
		n += len(vs)
	}
	slab := make([]string, n)
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		m := slab[:len(vs):len(vs)]
		slab = slab[len(vs):]
		if secretHeaders[k] || secretHeaders[http.CanonicalHeaderKey(k)] {
			for i, v := range vs {
				m[i] = maskValue(v)
			}
		} else if len(vs) == 0 {
			m = nil // as a plain copy would have it
		} else {
			copy(m, vs)
		}
		out[k] = m
	}
	return out
}

// maskValue keeps an auth scheme and the last four characters.
func maskValue(v string) string {
	scheme := ""
	if i := strings.IndexByte(v, ' '); i > 0 && i < 10 {
		scheme, v = v[:i+1], v[i+1:]
	}
	if len(v) < 12 {
		return scheme + "…"
	}
	return scheme + "…" + v[len(v)-4:]
}
