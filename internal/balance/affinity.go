package balance

import "time"

// sessions maps a session key to the config the session last succeeded on.
// It holds at most max entries in a slice threaded by a doubly linked list
// in recency order; when full, the least recently used entry is reused, so
// that a steady stream of sessions costs no allocation beyond the map's.
// Entries also expire.
type sessions struct {
	max        int
	index      map[string]int32
	entries    []session
	head, tail int32 // most and least recently used, -1 when empty
}

type session struct {
	key, config string // config "" marks an entry whose config was forgotten
	expires     time.Time
	prev, next  int32
}

func newSessions(max int) sessions {
	return sessions{max: max, index: make(map[string]int32), head: -1, tail: -1}
}

// get returns the session's config unless it is unknown or expired.
func (s *sessions) get(key string, now time.Time) (string, bool) {
	i, ok := s.index[key]
	if !ok {
		return "", false
	}
	e := &s.entries[i]
	if e.config == "" || !now.Before(e.expires) {
		return "", false
	}
	s.unlink(i)
	s.pushFront(i)
	return e.config, true
}

// put makes config the session's config until expires.
func (s *sessions) put(key, config string, expires time.Time) {
	i, ok := s.index[key]
	switch {
	case ok:
		s.unlink(i)
	case len(s.entries) < s.max:
		i = int32(len(s.entries))
		s.entries = append(s.entries, session{})
		s.index[key] = i
	default:
		i = s.tail
		s.unlink(i)
		delete(s.index, s.entries[i].key)
		s.index[key] = i
	}
	s.entries[i] = session{key: key, config: config, expires: expires, prev: -1, next: -1}
	s.pushFront(i)
}

// rename moves the sessions of config from to config to ("" forgets them).
func (s *sessions) rename(from, to string) {
	for i := range s.entries {
		if s.entries[i].config == from {
			s.entries[i].config = to
		}
	}
}

func (s *sessions) unlink(i int32) {
	e := &s.entries[i]
	if e.prev >= 0 {
		s.entries[e.prev].next = e.next
	} else {
		s.head = e.next
	}
	if e.next >= 0 {
		s.entries[e.next].prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.prev, e.next = -1, -1
}

func (s *sessions) pushFront(i int32) {
	e := &s.entries[i]
	e.prev, e.next = -1, s.head
	if s.head >= 0 {
		s.entries[s.head].prev = i
	}
	s.head = i
	if s.tail < 0 {
		s.tail = i
	}
}
