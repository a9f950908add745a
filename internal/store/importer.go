package store

import (
	"bufio"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

// The original (Python) CLP kept its request log as JSON lines, one file per
// service (older versions: one file for both), trimmed to the last N entries;
// the usage of trimmed entries was summed into history_usage.json by service
// and config ("channel"). ImportOriginal reads these files as that program
// wrote them:
//
//	{"id": "<uuid>", "timestamp": "2025-01-02T15:04:05" (local time, no zone),
//	 "service": "claude", "method": "POST", "path": "<upstream URL>",
//	 "status_code": 200, "duration_ms": 1234, "channel": "<config>",
//	 "target_headers": {...}, "original_headers": {...},
//	 "filtered_body": "<base64, as sent>", "original_body": "<base64, before the filter>",
//	 "response_content": "<base64, capped at 1 MB>", "response_truncated": true,
//	 "usage": {"service": "claude", "metrics": {"input", "cached_create",
//	           "cached_read", "output", "reasoning", "total"}, "raw": {<upstream usage>}},
//	 "blocked": true, "blocked_by": "<rule>", "blocked_reason": "..."}
//
//	history_usage.json: {"claude": {"<config>": {<metrics as above>}}, "codex": {...}}
//
// Every field is optional except a readable timestamp; a line that is not a
// JSON object with one is skipped and counted. The original's metrics.input
// is the upstream's input_tokens, which for OpenAI includes cached tokens;
// CLP's input_tokens does not, so cached_read is subtracted for Codex.
// The unredacted original_body is never stored: only its model is read.
// Credential headers are masked. Imported records have no time to first byte.
var originalLogs = [...]struct{ file, service string }{
	{"proxy_requests_claude.jsonl", "claude"},
	{"proxy_requests_codex.jsonl", "codex"},
	{"proxy_requests.jsonl", ""}, // before the original split its log per service
}

const originalHistory = "history_usage.json"

// ImportResult says what ImportOriginal did, one entry per file found.
type ImportResult struct {
	Sources []ImportedSource `json:"sources"`
}

// ImportedSource is the outcome for one file of the original CLP.
type ImportedSource struct {
	File    string `json:"file"`    // relative to CLP_HOME, e.g. data/history_usage.json
	Records int    `json:"records"` // requests, or usage totals, imported
	Skipped int    `json:"skipped"` // lines or entries that could not be read
	Already bool   `json:"already"` // imported by an earlier run, left alone
}

// ImportOriginal brings the original CLP's request log and usage history
// under home/data into this store, once: each file is imported in one
// transaction together with a mark that it was, so running it again (even
// after a crash halfway) neither duplicates nor loses anything. Missing files
// are not an error. Imported records get new ids above those that exist, so
// List, which orders by id, shows them first; filter by time to see them in
// time order. An import holds the writer's connection while it runs, so the
// live log waits (in its queue) until the import is done.
// Usage totals from history_usage.json have no time or model: they are
// counted in the hour before the oldest imported request of their service
// (or the hour the file was last written) with no model and zero requests.
func (db *DB) ImportOriginal(ctx context.Context, home string) (ImportResult, error) {
	var res ImportResult
	db.mu.RLock()
	closed := db.closed
	db.mu.RUnlock()
	if closed {
		return res, ErrClosed
	}
	for _, src := range originalLogs {
		name := filepath.Join("data", src.file)
		f, err := os.Open(filepath.Join(home, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return res, fmt.Errorf("import %s: %w", name, err)
		}
		s, err := db.importLog(ctx, filepath.ToSlash(name), f, src.service)
		f.Close()
		if err != nil {
			return res, fmt.Errorf("import %s: %w", name, err)
		}
		res.Sources = append(res.Sources, s)
	}
	name := filepath.Join("data", originalHistory)
	b, err := os.ReadFile(filepath.Join(home, name))
	if errors.Is(err, os.ErrNotExist) {
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("import %s: %w", name, err)
	}
	mtime := db.opt.Now()
	if fi, err := os.Stat(filepath.Join(home, name)); err == nil {
		mtime = fi.ModTime()
	}
	s, err := db.importHistory(ctx, filepath.ToSlash(name), b, mtime)
	if err != nil {
		return res, fmt.Errorf("import %s: %w", name, err)
	}
	res.Sources = append(res.Sources, s)
	return res, nil
}

// beginImport starts the transaction of one source; done reports that the
// source was imported before.
func (db *DB) beginImport(ctx context.Context, source string) (tx *sql.Tx, done bool, err error) {
	tx, err = db.h.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM imports WHERE source = ?`, source).Scan(&n); err != nil {
		tx.Rollback()
		return nil, false, err
	}
	if n > 0 {
		tx.Rollback()
		return nil, true, nil
	}
	return tx, false, nil
}

func (db *DB) finishImport(ctx context.Context, tx *sql.Tx, s ImportedSource) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO imports (source, imported_at, records, skipped)
		VALUES (?, ?, ?, ?)`, s.File, db.opt.Now().UnixNano(), s.Records, s.Skipped)
	if err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// importChunk is how many imported rows are encoded before they are inserted.
const importChunk = 200

func (db *DB) importLog(ctx context.Context, source string, r io.Reader, service string) (ImportedSource, error) {
	s := ImportedSource{File: source}
	tx, done, err := db.beginImport(ctx, source)
	if err != nil || done {
		s.Already = done
		return s, err
	}
	var rows []row
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		err := insertRows(ctx, tx, db.stmts, rows)
		rows = rows[:0]
		return err
	}
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, readErr := br.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			rec, err := parseOriginal(line, service, db.opt.Location)
			if err != nil {
				s.Skipped++
			} else {
				db.priceImported(rec)
				rec.ID = db.nextID.Add(1)
				rw, err := db.encode(rec)
				if err != nil {
					tx.Rollback()
					return s, err
				}
				rows = append(rows, rw)
				s.Records++
				if len(rows) >= importChunk {
					if err := flush(); err != nil {
						tx.Rollback()
						return s, err
					}
				}
			}
		}
		if readErr == io.EOF {
			break
		}
		if readErr != nil {
			tx.Rollback()
			return s, readErr
		}
	}
	if err := flush(); err != nil {
		tx.Rollback()
		return s, err
	}
	return s, db.finishImport(ctx, tx, s)
}

func (db *DB) priceImported(rec *api.Record) {
	if db.opt.Cost == nil || rec.Usage == nil {
		return
	}
	model := rec.ModelSent
	if model == "" {
		model = rec.ModelRequested
	}
	if usd, ok := db.opt.Cost(rec.Service, model, *rec.Usage); ok {
		rec.CostUSD = &usd
	}
}

func (db *DB) importHistory(ctx context.Context, source string, b []byte, mtime time.Time) (ImportedSource, error) {
	s := ImportedSource{File: source}
	var services map[string]json.RawMessage
	if err := json.Unmarshal(b, &services); err != nil {
		return s, fmt.Errorf("not a JSON object: %w", err)
	}
	tx, done, err := db.beginImport(ctx, source)
	if err != nil || done {
		s.Already = done
		return s, err
	}
	agg := make(rollups)
	for service, raw := range services {
		var configs map[string]json.RawMessage
		if json.Unmarshal(raw, &configs) != nil {
			s.Skipped++
			continue
		}
		hour := hourOf(mtime.UnixNano())
		var oldest sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(ts) FROM requests WHERE service = ?`, service).Scan(&oldest); err != nil {
			tx.Rollback()
			return s, err
		}
		if oldest.Valid {
			hour = hourOf(oldest.Int64) - 1
		}
		for config, m := range configs {
			fields := object(m)
			if fields == nil {
				s.Skipped++
				continue
			}
			u := usageFromMetrics(service, fields, nil)
			if u == nil {
				continue
			}
			a := agg.get(rollupKey{hour: hour, service: service, config: config})
			addUsage(&a.usage, u)
			a.unknownCost++
			s.Records++
		}
	}
	if err := agg.write(ctx, tx, db.stmts); err != nil {
		tx.Rollback()
		return s, err
	}
	return s, db.finishImport(ctx, tx, s)
}

// parseOriginal converts one line of the original CLP's request log.
// service is the file's service, used when the line names none.
func parseOriginal(line []byte, service string, loc *time.Location) (*api.Record, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	ts, err := parseOriginalTime(str(m, "timestamp"), loc)
	if err != nil {
		return nil, err
	}
	rec := &api.Record{
		Time:       ts,
		Service:    cmp.Or(str(m, "service"), service, "unknown"),
		Config:     str(m, "channel"),
		Method:     str(m, "method"),
		Path:       requestPath(str(m, "path")),
		Status:     int(num(m, "status_code")),
		DurationMS: num(m, "duration_ms"),
	}
	rec.RequestHeaders = maskedHeaders(object(m["target_headers"]))
	rec.ResponseHeaders = maskedHeaders(object(m["response_headers"]))
	rec.RequestBody = base64Field(m, "filtered_body")
	rec.ResponseBody = base64Field(m, "response_content")
	var sent struct {
		Model  string `json:"model"`
		Stream bool   `json:"stream"`
	}
	if json.Unmarshal(rec.RequestBody, &sent) == nil {
		rec.ModelSent, rec.Stream = sent.Model, sent.Stream
	}
	var orig struct {
		Model string `json:"model"`
	}
	if json.Unmarshal(base64Field(m, "original_body"), &orig) == nil && orig.Model != "" {
		rec.ModelRequested = orig.Model
	} else {
		rec.ModelRequested = rec.ModelSent
	}
	if usage := object(m["usage"]); usage != nil {
		if metrics := object(usage["metrics"]); metrics != nil {
			rec.Usage = usageFromMetrics(rec.Service, metrics, object(usage["raw"]))
		} else {
			rec.Usage = usageFromRaw(rec.Service, usage)
		}
	}
	if boolean(m, "blocked") {
		rec.Error = strings.TrimSuffix("blocked by filter "+str(m, "blocked_by")+": "+str(m, "blocked_reason"), ": ")
	}
	return rec, nil
}

// parseOriginalTime reads the original's timestamps: local time without a
// zone (Python's %Y-%m-%dT%H:%M:%S), or RFC 3339 if a zone is given.
func parseOriginalTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad timestamp %q", s)
}

// requestPath keeps the path and query of the upstream URL the original
// logged, without the upstream's scheme and host.
func requestPath(p string) string {
	if !strings.HasPrefix(p, "http://") && !strings.HasPrefix(p, "https://") {
		return p
	}
	u, err := url.Parse(p)
	if err != nil {
		return p
	}
	return u.RequestURI()
}
