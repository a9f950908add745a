// Package ui serves the web UI and the JSON API under /api/v1/ on the UI
// port. The CLI's typed client (internal/client) speaks the same API.
//
// Security, in the order a request meets it:
//
//   - Host: it must name this UI: localhost, a loopback address, the listen
//     host (CLP_UI_HOST), a name in CLP_UI_ALLOWED_HOSTS (comma separated,
//     e.g. the name nginx serves the UI under), or, when the UI listens
//     beyond loopback, an IP address. Anything else is 403 (DNS rebinding).
//   - Origin: a POST, PUT, PATCH or DELETE whose Origin is not this UI is
//     403, whatever its path (CSRF).
//   - Login: when CLP_UI_HOST is not a loopback address, every /api/ and
//     /metrics request needs a session or the CLI token, else 401. The
//     password is set with `clp ui password`, which stores a salted
//     PBKDF2-SHA256 hash in CLP_HOME/data/ui_auth.json (0600). POST
//     /api/v1/login {"password"} answers with an HttpOnly, SameSite=Strict
//     cookie naming a random 32-byte session kept in memory for 24 hours;
//     POST /api/v1/logout ends it; GET /api/v1/session says whether a login
//     is required and present. Pages and assets load without a login (they
//     hold no data) and show the login form.
//   - CLI token: at each start the daemon writes a random token to
//     CLP_HOME/run/ui_token (0600). A request carrying it in the
//     X-Clp-Token header (TokenHeader) needs no session; the clp command
//     line sends it (client.WithToken), and so can a script run by the same
//     user.
//   - Metrics token: GET /metrics also accepts "Authorization: Bearer T"
//     where T is CLP_METRICS_TOKEN (Options.MetricsToken), a fixed token
//     for a Prometheus server's bearer_token_file; it opens nothing else.
package ui
