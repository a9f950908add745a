package daemon

import (
	"testing"

	"github.com/clp-proxy/clp/internal/api"
)

// TestFeedWatched checks that a feed knows when no one listens (so requests
// skip building events) and that a subscriber gets what is published while
// it listens.
func TestFeedWatched(t *testing.T) {
	var f feed
	if f.watched() {
		t.Fatal("a new feed reports a subscriber")
	}
	ch1, cancel1 := f.subscribe()
	_, cancel2 := f.subscribe()
	if !f.watched() {
		t.Fatal("feed with two subscribers reports none")
	}
	cancel2()
	if !f.watched() {
		t.Fatal("feed with one subscriber left reports none")
	}
	f.publish(api.Event{Type: api.EventStatusChanged})
	if ev := <-ch1; ev.Type != api.EventStatusChanged {
		t.Fatalf("got event %q, want %q", ev.Type, api.EventStatusChanged)
	}
	cancel1()
	cancel1() // a second cancel is harmless
	if f.watched() {
		t.Fatal("feed reports a subscriber after all cancelled")
	}
}
