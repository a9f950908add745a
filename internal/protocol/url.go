package protocol

import (
	"net/url"
	"strings"
)

// JoinURL builds the upstream URL for a client request: the config's base URL
// followed by the client's path and query. A version segment that ends the
// base and starts the path ("/v1" in both) is kept once, so
// "https://relay/v1" + "/v1/messages" and "https://relay" + "/v1/messages"
// both give ".../v1/messages".
func JoinURL(base *url.URL, path, rawQuery string) *url.URL {
	u := *base
	bp := strings.TrimRight(base.Path, "/")
	if seg := lastSegment(bp); seg != "" && isVersion(seg) && (path == "/"+seg || strings.HasPrefix(path, "/"+seg+"/")) {
		path = path[len(seg)+1:]
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	u.Path = bp + path
	u.RawPath = ""
	u.RawQuery = rawQuery
	u.Fragment = ""
	return &u
}

func lastSegment(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[i+1:]
}

// isVersion reports whether seg looks like an API version segment: v1, v1beta, v2.
func isVersion(seg string) bool {
	if len(seg) < 2 || seg[0] != 'v' || seg[1] < '0' || seg[1] > '9' {
		return false
	}
	return true
}
