// Package sse is an incremental parser for server-sent event streams, built to
// watch a response as it is forwarded without holding it back or copying it
// more than once.
package sse

import "bytes"

// DefaultMaxEvent is the size bound used when Parser.MaxEvent is zero.
const DefaultMaxEvent = 8 << 20

// LineSlack is how much longer than MaxEvent a single line may be, so that a
// data line holding a full-size value still fits with its field name.
const LineSlack = 64

// Parser splits a server-sent event stream into events as bytes arrive.
// It follows the WHATWG event-stream rules: lines end in "\n", "\r\n" or "\r";
// lines starting with ":" are comments; "event:" sets the event name and
// "data:" appends a data line (one leading space after the colon is dropped);
// "id:" and "retry:" and unknown fields are ignored; a blank line dispatches
// the event when at least one data line was seen. A byte order mark at the
// very start is skipped. An event still open when the stream ends is only
// dispatched by Flush.
//
// The zero value is ready to use. A Parser keeps its buffers between events,
// so a steady stream does not allocate per event. It is not safe for
// concurrent use.
type Parser struct {
	// MaxEvent bounds the data of one event, in bytes; zero means
	// DefaultMaxEvent. An event whose data would exceed it, or that has a
	// line longer than MaxEvent+LineSlack bytes, is skipped whole (counted
	// in Oversized), and the parser never buffers more than that for it.
	MaxEvent int

	line  []byte // an unfinished line carried over from the previous chunk
	event []byte // the event name of the event being read
	data  []byte // the data lines of the event being read, joined by "\n"

	hasData   bool // a data line was seen in the current event
	skipEvent bool // the current event went over MaxEvent: drop it at the blank line
	skipLine  bool // the carried line went over MaxEvent: drop bytes up to the line end
	afterCR   bool // the last byte fed was "\r": a "\n" right after it is part of that line end
	started   bool // a line was completed; the BOM check is over

	oversized int
}

// Oversized is the number of events skipped because they exceeded MaxEvent.
func (p *Parser) Oversized() int { return p.oversized }

func (p *Parser) max() int {
	if p.MaxEvent > 0 {
		return p.MaxEvent
	}
	return DefaultMaxEvent
}

func (p *Parser) maxLine() int { return p.max() + LineSlack }

// Feed parses chunk, which may split the stream anywhere (inside a line,
// a field name or a "\r\n"), and calls fn once for every event it completes.
// event is the event name (empty when none was given) and data is the event's
// data lines joined by "\n". Both slices are only valid during the call:
// the parser reuses them.
func (p *Parser) Feed(chunk []byte, fn func(event, data []byte)) {
	if p.afterCR && len(chunk) > 0 {
		p.afterCR = false
		if chunk[0] == '\n' {
			chunk = chunk[1:]
		}
	}
	for len(chunk) > 0 {
		end, next := lineEnd(chunk)
		if end < 0 {
			p.carry(chunk)
			return
		}
		if next == len(chunk) && next == end+1 && chunk[end] == '\r' {
			p.afterCR = true
		}
		line := chunk[:end]
		chunk = chunk[next:]
		switch {
		case p.skipLine:
			p.skipLine = false
			p.line = p.line[:0]
			continue
		case len(p.line) > 0:
			if len(p.line)+len(line) > p.maxLine() {
				p.line = p.line[:0]
				p.overflow()
				continue
			}
			p.line = append(p.line, line...)
			line = p.line
		}
		p.processLine(line, fn)
		p.line = p.line[:0]
	}
}

// Flush ends the stream: an event whose lines all ended but whose closing
// blank line never came is dispatched to fn, as a lenient reader would,
// and an unfinished last line is dropped. The parser is then ready for a
// new stream.
func (p *Parser) Flush(fn func(event, data []byte)) {
	p.dispatch(fn)
	p.line = p.line[:0]
	p.skipLine = false
	p.afterCR = false
	p.started = false
}

// lineEnd finds the first line terminator in b: end is its index (-1 when
// there is none) and next the index just past it. A "\r" at the end of b is a
// complete terminator; Feed swallows a "\n" that starts the next chunk.
func lineEnd(b []byte) (end, next int) {
	n := bytes.IndexByte(b, '\n')
	limit := n
	if limit < 0 {
		limit = len(b)
	}
	if r := bytes.IndexByte(b[:limit], '\r'); r >= 0 {
		if r+1 < len(b) && b[r+1] == '\n' {
			return r, r + 2
		}
		return r, r + 1
	}
	if n < 0 {
		return -1, len(b)
	}
	return n, n + 1
}

// carry keeps an unfinished line for the next chunk, within MaxEvent.
func (p *Parser) carry(b []byte) {
	if p.skipLine {
		return
	}
	if len(p.line)+len(b) > p.maxLine() {
		p.line = p.line[:0]
		p.skipLine = true
		p.overflow()
		return
	}
	p.line = append(p.line, b...)
}

// overflow marks the current event as too large and frees its data.
func (p *Parser) overflow() {
	if !p.skipEvent {
		p.skipEvent = true
		p.oversized++
	}
	p.data = p.data[:0]
	p.hasData = false
}

var (
	bom        = []byte("\xEF\xBB\xBF")
	fieldData  = []byte("data")
	fieldEvent = []byte("event")
)

func (p *Parser) processLine(line []byte, fn func(event, data []byte)) {
	if !p.started {
		p.started = true
		line = bytes.TrimPrefix(line, bom)
	}
	if len(line) == 0 {
		p.dispatch(fn)
		return
	}
	if len(line) > p.maxLine() {
		p.overflow()
		return
	}
	if line[0] == ':' || p.skipEvent {
		return
	}
	name, value := line, line[len(line):]
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch {
	case bytes.Equal(name, fieldData):
		n := len(value)
		if p.hasData {
			n++
		}
		if len(p.data)+n > p.max() {
			p.overflow()
			return
		}
		if p.hasData {
			p.data = append(p.data, '\n')
		}
		p.data = append(p.data, value...)
		p.hasData = true
	case bytes.Equal(name, fieldEvent):
		p.event = append(p.event[:0], value...)
	}
}

func (p *Parser) dispatch(fn func(event, data []byte)) {
	if p.hasData && !p.skipEvent {
		fn(p.event, p.data)
	}
	p.event = p.event[:0]
	p.data = p.data[:0]
	p.hasData = false
	p.skipEvent = false
}
