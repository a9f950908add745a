// Package client is the typed client of the daemon's JSON API (internal/ui),
// used by the CLI. Errors are rewritten for people: a refused connection
// becomes ErrNotRunning.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

// ErrNotRunning means no daemon answers on the UI address.
var ErrNotRunning = errors.New("the clp daemon is not running; start it with `clp start`")

// Client talks to one daemon.
type Client struct {
	base  string
	hc    *http.Client
	token string // sent in TokenHeader when not empty
}

// TokenHeader is the header that carries the daemon's CLI token (see
// WithToken); the same name as ui.TokenHeader.
const TokenHeader = "X-Clp-Token"

// WithToken makes c send token, the content of CLP_HOME/run/ui_token that
// the daemon writes at start, with every request. A daemon whose UI listens
// beyond loopback requires a login; the token stands in for it. "" sends
// none. It returns c.
func (c *Client) WithToken(token string) *Client {
	c.token = token
	return c
}

func (c *Client) header() http.Header {
	h := http.Header{}
	if c.token != "" {
		h.Set(TokenHeader, c.token)
	}
	return h
}

// New returns a client of the daemon whose UI listens on addr (host:port).
func New(addr string) *Client {
	return &Client{
		base: "http://" + addr,
		hc:   &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil}},
	}
}

// APIError is an error the daemon answered with.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string { return e.Message }

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header = c.header()
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if isRefused(err) {
			return ErrNotRunning
		}
		return fmt.Errorf("talk to the clp daemon at %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		var e api.Error
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = fmt.Sprintf("daemon answered %s", resp.Status)
		}
		return &APIError{Status: resp.StatusCode, Message: e.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("read the daemon's answer: %w", err)
	}
	return nil
}

func isRefused(err error) bool {
	var op *net.OpError
	return errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &op) && op.Op == "dial")
}

// Status returns the daemon's status.
func (c *Client) Status(ctx context.Context) (api.Status, error) {
	var st api.Status
	err := c.do(ctx, http.MethodGet, "/api/v1/status", nil, &st)
	return st, err
}

// SetActive switches service to config name. When it returns, the daemon
// sends the next request of that service to name.
func (c *Client) SetActive(ctx context.Context, service, name string) error {
	return c.do(ctx, http.MethodPut, "/api/v1/services/"+service+"/active", api.ActiveRequest{Name: name}, nil)
}

// Shutdown asks the daemon to stop gracefully; it returns before the daemon exits.
func (c *Client) Shutdown(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/api/v1/shutdown", nil, nil)
}
