package proxy_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// bigBody is a Messages request of about n bytes.
func bigBody(n int) []byte {
	head := `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"`
	return []byte(head + strings.Repeat("word ", (n-len(head))/5) + `"}],"max_tokens":10}`)
}

// upstreamGot is what an upstream handler saw of one request.
type upstreamGot struct {
	length int64
	body   []byte
	err    error
}

// TestPipelinedUpload: a large body reaches the upstream while the client
// is still sending it; the upstream gets it whole and unchanged, with
// its Content-Length.
func TestPipelinedUpload(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	body := bigBody(600 << 10)
	half := 300 << 10
	gotHalf := make(chan struct{})
	got := make(chan upstreamGot, 1)
	r := newRig(t, func(w http.ResponseWriter, req *http.Request) {
		b := make([]byte, 0, req.ContentLength)
		chunk := make([]byte, 32<<10)
		signalled := false
		var err error
		for {
			var n int
			n, err = req.Body.Read(chunk)
			b = append(b, chunk[:n]...)
			if len(b) >= half-uploadHeadSlack && !signalled {
				close(gotHalf)
				signalled = true
			}
			if err != nil {
				break
			}
		}
		if err == io.EOF {
			err = nil
		}
		got <- upstreamGot{req.ContentLength, b, err}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"type":"message","usage":{"input_tokens":1,"output_tokens":1}}`)
	})
	defer r.close()

	pr, pw := io.Pipe()
	defer pw.Close() // so that a failed test does not leave the proxy reading
	req, _ := http.NewRequest("POST", r.proxy.URL+"/v1/messages", pr)
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/json")
	respc := make(chan *http.Response, 1)
	go func() {
		resp, err := r.client.Do(req)
		if err != nil {
			t.Error(err)
			close(respc)
			return
		}
		respc <- resp
	}()
	pw.Write(body[:half])
	select {
	case <-gotHalf:
	case <-time.After(5 * time.Second):
		t.Fatal("the upstream got nothing of the body's first half while the client held back the second: not pipelined")
	}
	pw.Write(body[half:])
	pw.Close()
	resp := <-respc
	if resp == nil {
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	g := <-got
	if g.err != nil {
		t.Fatal(g.err)
	}
	if g.length != int64(len(g.body)) {
		t.Errorf("Content-Length %d, body %d bytes", g.length, len(g.body))
	}
	if !bytes.Equal(g.body, body) {
		t.Errorf("the upstream got %d bytes (%q...), want the %d sent", len(g.body), g.body[max(0, len(g.body)-40):], len(body))
	}
	rec := r.record(t)
	if rec.Status != 200 || rec.Error != "" {
		t.Errorf("record: status %d error %q", rec.Status, rec.Error)
	}
}

// uploadHeadSlack allows for what a proxy may hold back of the first half.
const uploadHeadSlack = 64 << 10

// TestClientGoneMidUpload: a client that goes away halfway through a large
// body gets a record saying so, and the upstream never gets a whole
// request (its body read fails).
func TestClientGoneMidUpload(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	body := bigBody(400 << 10)
	got := make(chan upstreamGot, 1)
	r := newRig(t, func(w http.ResponseWriter, req *http.Request) {
		b, err := io.ReadAll(req.Body)
		got <- upstreamGot{req.ContentLength, b, err}
	})
	defer r.close()

	c, err := net.Dial("tcp", strings.TrimPrefix(r.proxy.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n")
	c.Write(body[:200<<10])
	time.Sleep(50 * time.Millisecond)
	c.Close()

	rec := r.record(t)
	if rec.Status != 499 || !strings.Contains(rec.Error, "read request body") {
		t.Errorf("record: status %d error %q, want 499 and read request body", rec.Status, rec.Error)
	}
	select {
	case g := <-got:
		if g.err == nil {
			t.Errorf("the upstream read a whole body of %d bytes (Content-Length %d)", len(g.body), g.length)
		}
	case <-time.After(5 * time.Second):
		t.Error("the upstream got no request, or it was not ended")
	}
}
