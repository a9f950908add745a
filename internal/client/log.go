package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/coder/websocket"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
)

// Requests lists request records, newest first; q takes the filters of
// GET /api/v1/requests (service, config, model, status, since, until,
// before, limit).
func (c *Client) Requests(ctx context.Context, q url.Values) (api.RequestPage, error) {
	var p api.RequestPage
	err := c.do(ctx, http.MethodGet, "/api/v1/requests?"+q.Encode(), nil, &p)
	return p, err
}

// Request returns one record in full.
func (c *Client) Request(ctx context.Context, id int64) (*api.Record, error) {
	var rec api.Record
	if err := c.do(ctx, http.MethodGet, "/api/v1/requests/"+strconv.FormatInt(id, 10), nil, &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// Stats aggregates the request log; q takes since, until, bucket, by, tz.
func (c *Client) Stats(ctx context.Context, q url.Values) ([]api.StatsRow, error) {
	var rows []api.StatsRow
	err := c.do(ctx, http.MethodGet, "/api/v1/stats?"+q.Encode(), nil, &rows)
	return rows, err
}

// Events follows the live feed, calling fn for each event until ctx ends or
// the daemon goes away.
func (c *Client) Events(ctx context.Context, fn func(api.Event)) error {
	u, _ := url.Parse(c.base + "/api/v1/events")
	u.Scheme = "ws"
	conn, _, err := websocket.Dial(ctx, u.String(), &websocket.DialOptions{HTTPHeader: c.header()})
	if err != nil {
		if isRefused(err) {
			return ErrNotRunning
		}
		return fmt.Errorf("follow the live feed: %w", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("live feed ended: %w", err)
		}
		var ev api.Event
		if json.Unmarshal(data, &ev) == nil {
			fn(ev)
		}
	}
}

// Health returns the balancing health of service's configs.
func (c *Client) Health(ctx context.Context, service string) ([]balance.Health, error) {
	var h []balance.Health
	err := c.do(ctx, http.MethodGet, "/api/v1/services/"+url.PathEscape(service)+"/health", nil, &h)
	return h, err
}

// ResetHealth clears the failures and exclusion of config name ("" for all).
func (c *Client) ResetHealth(ctx context.Context, service, name string) error {
	return c.do(ctx, http.MethodPost, "/api/v1/services/"+url.PathEscape(service)+"/health/reset?config="+url.QueryEscape(name), nil, nil)
}

// RenameConfig renames a config; the daemon carries the new name through
// routing rules, health and the request log.
func (c *Client) RenameConfig(ctx context.Context, service, old, new string) error {
	return c.do(ctx, http.MethodPatch, "/api/v1/services/"+url.PathEscape(service)+"/configs/"+url.PathEscape(old), map[string]string{"name": new}, nil)
}
