package ui

import (
	"net/http"
	"slices"
	"strings"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
)

// secretHeaders carry credentials; the API never returns them in full.
var secretHeaders = map[string]bool{
	"Authorization": true, "X-Api-Key": true, "Cookie": true, "Set-Cookie": true,
	"Proxy-Authorization": true, "Api-Key": true, "X-Goog-Api-Key": true,
}

// masked reports whether v is already masked (the daemon masks with "…").
func masked(v string) bool { return v == "" || strings.Contains(v, "…") }

// maskHeaders masks, in place, any credential header value the daemon left
// whole: the scheme and the last four characters stay. It is a second line
// of defence; the request log stores masked headers already.
func maskHeaders(h map[string][]string) {
	for k, vs := range h {
		if !secretHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		for i, v := range vs {
			if masked(v) {
				continue
			}
			scheme := ""
			if j := strings.IndexByte(v, ' '); j > 0 && j < 10 {
				scheme, v = v[:j+1], v[j+1:]
			}
			if len(v) < 12 {
				vs[i] = scheme + "…"
			} else {
				vs[i] = scheme + "…" + v[len(v)-4:]
			}
		}
	}
}

// maskConfigs returns a copy of cs with any credential the daemon left whole
// masked; cs itself is not changed (it may be shared).
func maskConfigs(cs []api.ConfigView) []api.ConfigView {
	cs = slices.Clone(cs)
	for i := range cs {
		if !masked(cs[i].AuthToken) {
			cs[i].AuthToken = config.Mask(cs[i].AuthToken)
		}
		if !masked(cs[i].APIKey) {
			cs[i].APIKey = config.Mask(cs[i].APIKey)
		}
	}
	return cs
}
