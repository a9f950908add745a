package proxy

// Event is a point in a request's life reported to Handler.Observe.
type Event int

const (
	// EventStarted: the body was read and configs were chosen.
	EventStarted Event = iota
	// EventFirstByte: the first byte of the answer reached the client.
	EventFirstByte
	// EventDone: the request ended; the record is complete.
	EventDone
)
