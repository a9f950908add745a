package redact

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Limits on user rules, checked by Compile.
const (
	// MaxSourceLen is the longest Rule.Source accepted, in bytes.
	MaxSourceLen = 4096
	// MaxProgram is the largest compiled regular expression accepted, in
	// instructions of Go's regexp machine (a{1000} alone is about 1000).
	MaxProgram = 4000
)

// Options tunes Compile beyond the rules themselves. The zero value runs the
// detectors that are on by default and accepts any service name.
type Options struct {
	// Detectors turns built-in detectors on (true) or off (false) by ID,
	// overriding Detector.DefaultOn. An unknown ID is an error.
	Detectors map[string]bool
	// Services, when not empty, lists the service names a Rule.Services
	// entry may use; any other name is an error.
	Services []string
}

// Filter applies compiled rules and detectors to request bodies. It is
// immutable and safe for concurrent use; a nil *Filter changes nothing. Use
// the pointer Compile returns (a Filter holds a sync.Pool of scratch space
// and must not be copied).
type Filter struct {
	matchers []*matcher
	pre      *prefilter // finds raw literals in bodies
	textPre  *prefilter // finds plain literals in a changed unit's decoded text
	pool     sync.Pool  // of *scratch
	large    scratchList
}

// matcher is one compiled rule or detector.
type matcher struct {
	label    string
	services []string // nil: every service
	re       *regexp.Regexp
	shape
	plain []needle // shape.lits, searched in decoded text
	raw   []needle // shape.lits and their JSON-escaped forms, searched in the body
	// Detectors only: the pattern anchored at its start, run where one of
	// plain occurs; the secret is the first capture group that took part.
	detector bool
	anchored *regexp.Regexp
	lazy     *lazyRegexp // detectors from Compile: anchored, compiled on first use
	// Rules only: the pattern anchored at its start, when findAnchored can
	// run it at the possible starts around literals instead of over all.
	anchoredRule *regexp.Regexp
	maxLen       int  // longest match from the literal on, or unbounded
	back         int  // see detectorSpec
	need         byte // see detectorSpec
	stop         string
	left         bool
	right        bool
	repl         string // replacement text
	replJSON     []byte // repl escaped for a JSON string
	replBytes    []byte // repl as is, for a body that is not JSON
	plainRepl    bool   // repl needs no JSON escape and holds no character of kelvin
	rawSafe      bool   // rules only: see litsRawSafe
	// alpha holds the characters whose \u escape can hide an occurrence
	// of the literals or the run from the prefilter (see alphabet).
	alpha runeSet
}

// prefiltered reports whether the prefilter can tell where m may match.
func (m *matcher) prefiltered() bool { return m.raw != nil || m.run != nil }

func (m *matcher) appliesTo(service string) bool {
	return m.services == nil || slices.Contains(m.services, service)
}

// Compile checks and compiles user rules, then adds the detectors that opt
// turns on. Rules run first, in order, each on the output of the one before;
// detectors run after them in catalog order. Disabled rules are checked too,
// so that turning one on cannot fail later. Every problem is reported at once
// (errors.Join), each naming the rule by number and name.
func Compile(rules []Rule, opt Options) (*Filter, error) {
	var errs []error
	f := &Filter{}
	for i, r := range rules {
		m, rerrs := compileRule(r, opt)
		if len(rerrs) > 0 {
			name := ""
			if r.Name != "" {
				name = fmt.Sprintf(" %q", r.Name)
			}
			for _, err := range rerrs {
				errs = append(errs, fmt.Errorf("rule %d%s: %w", i+1, name, err))
			}
			continue
		}
		if r.On() {
			m.label = r.Label(i)
			f.matchers = append(f.matchers, m)
		}
	}
	specs := catalog()
	for id := range opt.Detectors {
		if !slices.ContainsFunc(specs, func(s detectorSpec) bool { return s.ID == id }) {
			errs = append(errs, fmt.Errorf("unknown detector %q", id))
		}
	}
	for _, s := range specs {
		on, set := opt.Detectors[s.ID]
		if !set {
			on = s.DefaultOn
		}
		if !on {
			continue
		}
		m, err := prepareDetector(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("detector %s: %w", s.ID, err))
			continue
		}
		f.matchers = append(f.matchers, m)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	f.pre = newPrefilter(f.matchers, false)
	f.textPre = newPrefilter(f.matchers, true)
	return f, nil
}

func compileRule(r Rule, opt Options) (*matcher, []error) {
	var errs []error
	switch r.Op {
	case "", OpReplace, OpRemove:
	default:
		errs = append(errs, fmt.Errorf("op %q: want %q or %q", r.Op, OpReplace, OpRemove))
	}
	for _, s := range r.Services {
		switch {
		case s == "":
			errs = append(errs, errors.New("empty service name"))
		case len(opt.Services) > 0 && !slices.Contains(opt.Services, s):
			errs = append(errs, fmt.Errorf("service %q: want one of %s", s, strings.Join(opt.Services, ", ")))
		}
	}
	var re *regexp.Regexp
	var tree *syntax.Regexp
	switch {
	case r.Source == "":
		errs = append(errs, errors.New("source is empty"))
	case len(r.Source) > MaxSourceLen:
		errs = append(errs, fmt.Errorf("source is %d bytes, more than %d: split it into several rules", len(r.Source), MaxSourceLen))
	case !utf8.ValidString(r.Source):
		errs = append(errs, errors.New("source is not valid UTF-8"))
	default:
		var err error
		re, tree, err = compileSource(r.Source)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	target := strings.ToValidUTF8(r.Target, "\uFFFD")
	if r.Op == OpRemove {
		target = ""
	}
	m := newMatcher(re, tree, target)
	if len(r.Services) > 0 {
		m.services = slices.Clone(r.Services)
	}
	return m, nil
}

// compileSource compiles a rule's source as a regular expression, or as a
// literal when it is not one. A source that is a regular expression but too
// big is an error, not a literal.
func compileSource(src string) (*regexp.Regexp, *syntax.Regexp, error) {
	tree, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		var serr *syntax.Error
		if errors.As(err, &serr) {
			switch serr.Code {
			case syntax.ErrLarge, syntax.ErrInvalidRepeatSize, syntax.ErrNestingDepth:
				return nil, nil, fmt.Errorf("source is a regular expression too large to run (%v): "+
					"use + or * instead of large {n,m} counts, or split it into several rules", serr.Code)
			}
		}
		src = regexp.QuoteMeta(src)
		if tree, err = syntax.Parse(src, syntax.Perl); err != nil {
			return nil, nil, fmt.Errorf("source: %w", err)
		}
	}
	prog, err := syntax.Compile(tree.Simplify())
	if err != nil {
		return nil, nil, fmt.Errorf("source: %w", err)
	}
	if n := len(prog.Inst); n > MaxProgram {
		return nil, nil, fmt.Errorf("source compiles to %d instructions, more than %d: "+
			"use + or * instead of large {n,m} counts, or split it into several rules", n, MaxProgram)
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, nil, fmt.Errorf("source: %w", err)
	}
	return re, tree, nil
}

// compileDetector compiles the detector s, its regular expressions included.
func compileDetector(s detectorSpec) (*matcher, error) {
	re, err := regexp.Compile(s.Pattern)
	if err != nil {
		return nil, err
	}
	anchored, err := regexp.Compile(anchoredSource(s))
	if err != nil {
		return nil, err
	}
	m, err := prepareDetector(s)
	if err != nil {
		return nil, err
	}
	m.re, m.anchored = re, anchored
	return m, nil
}

// prepareDetector prepares the detector s for Compile: all but its regular
// expressions, of which Apply needs only the anchored one, compiled on first
// use (most bodies never hold a detector's literal, and compiling them all
// is most of what Compile costs). The catalog's patterns compile
// (TestCatalog).
func prepareDetector(s detectorSpec) (*matcher, error) {
	tree, err := syntax.Parse(s.Pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	if len(s.lits) == 0 {
		return nil, errors.New("no literals")
	}
	m := baseMatcher(nil, tree, Marker(s.ID))
	m.label = s.ID
	m.detector = true
	m.lazy = &lazyRegexp{source: anchoredSource(s)}
	m.maxLen, m.back, m.need, m.stop = maxLen(tree), s.back, s.need, s.stop
	m.left, m.right = s.left, s.right
	m.lits = nil
	for _, l := range s.lits {
		if s.fold {
			l = asciiLower(l)
		}
		m.lits = append(m.lits, lit{s: l, fold: s.fold})
	}
	m.plain, m.raw = needles(m.lits), needles(rawForms(m.lits))
	m.alpha = alphabet(m.lits, nil, m.need)
	return m, nil
}

func anchoredSource(s detectorSpec) string { return `^(?:` + s.Pattern + `)` }

// lazyRegexp is a regular expression compiled on first use.
type lazyRegexp struct {
	once   sync.Once
	source string
	re     *regexp.Regexp
}

// anchoredRegexp returns the detector's anchored expression, compiling it
// on first use for a detector from prepareDetector.
func (m *matcher) anchoredRegexp() *regexp.Regexp {
	if m.anchored != nil {
		return m.anchored
	}
	m.lazy.once.Do(func() { m.lazy.re = regexp.MustCompile(m.lazy.source) })
	return m.lazy.re
}

// newMatcher prepares the rule re (parsed as tree) that replaces matches
// with repl.
func newMatcher(re *regexp.Regexp, tree *syntax.Regexp, repl string) *matcher {
	m := baseMatcher(re, tree, repl)
	m.anchoredRule = compileAnchored(re, tree, m.shape)
	m.rawSafe = litsRawSafe(m.lits)
	return m
}

func baseMatcher(re *regexp.Regexp, tree *syntax.Regexp, repl string) *matcher {
	m := &matcher{re: re, shape: analyze(tree), repl: repl}
	m.plain, m.raw = needles(m.lits), needles(rawForms(m.lits))
	m.alpha = alphabet(m.lits, m.run, 0)
	m.replJSON = appendEscaped(nil, repl)
	m.replBytes = []byte(repl)
	m.plainRepl = string(m.replJSON) == repl && !strings.Contains(repl, kelvin) && !strings.Contains(repl, longS)
	return m
}

// rawForms adds to lits the forms they take inside a JSON string, escaped
// the way encoders do (\u escapes of printable characters are found by the
// prefilter's escape markers instead): a backspace and a form feed as
// \u0008 and \u000c, or as \b and \f (JSON.stringify, encoding/json since
// Go 1.22); every '/' as \/ (PHP's json_encode).
func rawForms(lits []lit) []lit {
	if lits == nil {
		return nil
	}
	out := slices.Clone(lits)
	for _, l := range lits {
		esc := appendEscaped(nil, l.s)
		out = appendLit(out, lit{s: string(esc), fold: l.fold})
		if strings.ContainsAny(l.s, "\b\f") {
			out = appendLit(out, lit{s: string(shortBF(esc)), fold: l.fold})
		}
		if strings.Contains(l.s, "/") {
			// Encoders that escape the slash (PHP's json_encode) escape
			// every one.
			out = appendLit(out, lit{s: strings.ReplaceAll(string(esc), "/", `\/`), fold: l.fold})
		}
	}
	return out
}

// shortBF rewrites the escapes \u0008 and \u000c of esc, a text escaped by
// appendEscaped, as \b and \f.
func shortBF(esc []byte) []byte {
	var out []byte
	for i := 0; i < len(esc); i++ {
		if esc[i] != '\\' {
			out = append(out, esc[i])
			continue
		}
		switch string(esc[i:min(len(esc), i+6)]) {
		case `\u0008`:
			out = append(out, '\\', 'b')
			i += 5
		case `\u000c`:
			out = append(out, '\\', 'f')
			i += 5
		default: // a two-byte escape: kept whole
			out = append(out, esc[i:i+2]...)
			i++
		}
	}
	return out
}
