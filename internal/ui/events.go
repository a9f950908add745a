package ui

import (
	"context"
	"net/http"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// events streams the live feed (api.Event as JSON text messages) over a
// WebSocket until the client leaves or the daemon stops. The Host guard ran
// already; the handshake also checks Origin, so another site cannot read the
// feed from a visitor's browser.
func (s *server) events(w http.ResponseWriter, r *http.Request) {
	// Subscribe before the handshake completes: a client that sends a
	// request as soon as it is connected (clp logs -f, a test) sees its
	// events, which would otherwise be published before the subscription.
	ch, cancel := s.b.Subscribe()
	defer cancel()
	c, err := websocket.Accept(w, r, nil) // nil options: same-origin only
	if err != nil {
		return // Accept answered the client already
	}
	defer c.CloseNow()
	ctx := c.CloseRead(r.Context())
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-ch:
			if !ok {
				c.Close(websocket.StatusGoingAway, "daemon stopping")
				return
			}
			wctx, done := context.WithTimeout(ctx, 10*time.Second)
			err := wsjson.Write(wctx, c, ev)
			done()
			if err != nil {
				return
			}
		case <-ping.C:
			pctx, done := context.WithTimeout(ctx, 10*time.Second)
			err := c.Ping(pctx)
			done()
			if err != nil {
				return
			}
		}
	}
}
