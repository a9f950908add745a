import { useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { api, type Rec, type RedactionSpan, type Reply } from './api'
import { t } from './i18n'
import { Card, Empty, Link, LoadError, Page, Select, StatusPill, navigate, useLoad } from './ui'
import { b64len, b64text, bytes, compact, ms, num, totalTokens, usd, when } from './format'

export function Requests() {
  const [svc, setSvc] = useState('')
  const [status, setStatus] = useState('')
  const [model, setModel] = useState('')
  const [before, setBefore] = useState<number[]>([]) // stack of page cursors
  const cur = before[before.length - 1]
  const { data, err, reload } = useLoad(() => api.requests({ service: svc, status, model, before: cur, limit: 50 }), [svc, status, model, cur])
  const reset = () => setBefore([])
  return (
    <Page title={t('nav_requests')}>
      <div class="row filters">
        <Select value={svc} options={[['', t('all')], ['claude', 'Claude Code'], ['codex', 'Codex CLI']]} onChange={v => { setSvc(v); reset() }} />
        <Select value={status} options={[['', t('all')], ['ok', t('ok')], ['error', t('error')]]} onChange={v => { setStatus(v); reset() }} />
        <input placeholder={t('model')} value={model} onChange={e => { setModel((e.target as HTMLInputElement).value); reset() }} />
      </div>
      <Card>
        {err ? <LoadError err={err} retry={reload} /> : data && data.records.length === 0 ? <Empty>{t('no_requests')}</Empty> : (
          <table class="tbl hover" id="requests">
            <thead><tr><th>{t('time')}</th><th>{t('service')}</th><th>{t('config')}</th><th>{t('model')}</th><th>{t('status')}</th>
              <th class="num">{t('tokens')}</th><th class="num">{t('cost')}</th><th class="num">{t('ttfb')}</th><th class="num">{t('duration')}</th></tr></thead>
            <tbody>{data?.records.map(r => (
              <tr data-id={r.id} onClick={() => navigate('/requests/' + r.id)}>
                <td class="nowrap muted">{when(r.time)}</td><td>{r.service}</td><td>{r.config}</td>
                <td><code>{r.model_sent || r.model_requested || '—'}</code></td>
                <td><StatusPill status={r.status} error={r.error} /></td>
                <td class="num">{r.usage ? compact(totalTokens(r.usage)) : '—'}</td>
                <td class="num">{usd(r.cost_usd)}</td><td class="num">{ms(r.ttfb_ms)}</td><td class="num">{ms(r.duration_ms)}</td>
              </tr>
            ))}</tbody>
          </table>
        )}
        <div class="row pager">
          {before.length > 0 && <button class="btn sm" onClick={reset}>{t('newest')}</button>}
          {data?.next_before && <button class="btn sm" onClick={() => setBefore(b => [...b, data.next_before!])}>{t('older')} →</button>}
        </div>
      </Card>
    </Page>
  )
}

function Headers(p: { h?: Record<string, string[]> }) {
  if (!p.h) return <p class="muted">—</p>
  return <dl class="kv small">{Object.entries(p.h).sort().map(([k, vs]) => <><dt>{k}</dt><dd><code>{vs.join(', ')}</code></dd></>)}</dl>
}

// markRedactions highlights filter markers such as [REDACTED:email] in the body.
function markRedactions(s: string) {
  const parts = s.split(/(\[(?:REDACTED|FILTERED)[^\]]*\])/g)
  return parts.map((x, i) => (i % 2 ? <mark>{x}</mark> : x))
}

// markSpans shows the body exactly as sent, with each replacement the filter
// made marked; the title names the rule and a masked preview of what it
// replaced. Offsets are bytes, so the body is cut as bytes, then decoded.
function markSpans(b64: string, spans: RedactionSpan[]) {
  let bytes: Uint8Array
  try { bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0)) } catch { return b64 }
  const dec = new TextDecoder()
  const out: (string | JSX.Element)[] = []
  let at = 0
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start < at || s.end > bytes.length || s.end <= s.start) continue
    out.push(dec.decode(bytes.subarray(at, s.start)))
    out.push(<mark class="redacted" title={`${s.rule}: ${s.preview}`}>{dec.decode(bytes.subarray(s.start, s.end))}</mark>)
    at = s.end
  }
  out.push(dec.decode(bytes.subarray(at)))
  return out
}

function pretty(s: string) { try { return JSON.stringify(JSON.parse(s), null, 2) } catch { return s } }

// ReplyView shows the answer as the model gave it: text, thinking and tool
// calls each in their own block.
function ReplyView(p: { reply: Reply }) {
  const blocks = p.reply.blocks.filter(b => b.text || b.kind === 'tool_call')
  return (
    <div class="reply" id="reply">
      <div class="row small muted">
        {p.reply.model && <span>{t('model')}: <code>{p.reply.model}</code></span>}
        {p.reply.stop_reason && <span>{t('stop_reason')}: <code>{p.reply.stop_reason}</code></span>}
        {p.reply.events > 0 && <span>{t('n_events', { n: p.reply.events })}</span>}
      </div>
      {p.reply.error && <div class="alert">{p.reply.error}</div>}
      {blocks.length === 0 && !p.reply.error && <p class="muted">{t('reply_empty')}</p>}
      {blocks.map(b => b.kind === 'thinking'
        ? <details class="blk thinking"><summary>{t('thinking')}</summary><div class="blk-text">{b.text}</div></details>
        : b.kind === 'tool_call'
          ? <div class="blk tool"><div class="blk-h">{t('tool_call')} <code>{b.name}</code>{b.id && <span class="muted small"> · {b.id}</span>}</div><pre class="code">{pretty(b.text)}</pre></div>
          : <div class="blk text"><div class="blk-text">{b.text}</div></div>)}
    </div>
  )
}

// Cut says that the log kept only the start of a body of size bytes.
function Cut(p: { id: string; size?: number; b64?: string }) {
  const kept = b64len(p.b64)
  if (!p.size || p.size <= kept) return null
  return <p class="muted" id={p.id}>{t('body_cut', { kept: bytes(kept), size: bytes(p.size) })}</p>
}

function ResponseCard(p: { r: Rec; raw: string }) {
  const [view, setView] = useState<'reply' | 'raw'>(p.r.reply ? 'reply' : 'raw')
  return (
    <Card title={t('response')} actions={p.r.reply && (
      <span class="seg">
        <button id="view-reply" class={view === 'reply' ? 'on' : ''} onClick={() => setView('reply')}>{t('reassembled')}</button>
        <button id="view-raw" class={view === 'raw' ? 'on' : ''} onClick={() => setView('raw')}>{p.r.stream ? t('raw_events') : t('raw_body')}</button>
      </span>)}>
      <Cut id="response-cut" size={p.r.response_size} b64={p.r.response_body} />
      {view === 'reply' && p.r.reply ? <ReplyView reply={p.r.reply} /> : <pre class="code" id="raw-response">{p.raw}</pre>}
    </Card>
  )
}

export function RequestDetail(p: { id: number }) {
  const { data: r, err, reload } = useLoad(() => api.request(p.id), [p.id])
  const body = (b?: string) => { const s = b64text(b); try { return JSON.stringify(JSON.parse(s), null, 2) } catch { return s } }
  return (
    <Page title={`${t('detail')} #${p.id}`} actions={<Link class="btn" href="/requests">← {t('back')}</Link>}>
      {err && <LoadError err={err} retry={reload} />}
      {r && <>
        <div class="tiles" id="detail">
          <div class="tile"><div class="label">{t('status')}</div><div class="big"><StatusPill status={r.status} error={r.error} />{r.incomplete && <span class="pill warn sp">{t('incomplete')}</span>}</div></div>
          <div class="tile"><div class="label">{t('ttfb')} / {t('duration')}</div><div class="big">{ms(r.ttfb_ms)} <span class="muted">/ {ms(r.duration_ms)}</span></div></div>
          <div class="tile"><div class="label">{t('tokens')}</div><div class="big" id="detail-tokens">{r.usage ? num(totalTokens(r.usage)) : t('unknown')}</div></div>
          <div class="tile"><div class="label">{t('cost')}</div><div class="big">{r.cost_usd === undefined ? t('unknown') : usd(r.cost_usd)}</div></div>
        </div>
        <div class="grid2">
          <Card title={t('timing')}>
            <dl class="kv">
              <dt>{t('time')}</dt><dd>{when(r.time)}</dd>
              <dt>{t('service')}</dt><dd>{r.service}</dd><dt>{t('config')}</dt><dd>{r.config}</dd>
              <dt>{t('model')}</dt><dd><code>{r.model_requested}</code>{r.model_sent && r.model_sent !== r.model_requested && <> → <code>{r.model_sent}</code></>}</dd>
              <dt>Path</dt><dd><code>{r.method} {r.path}</code>{r.stream && <span class="pill sp">{t('stream')}</span>}</dd>
              {r.error && <><dt>{t('error')}</dt><dd class="bad">{r.error}</dd></>}
            </dl>
          </Card>
          <Card title={t('usage')}>
            {r.usage ? <dl class="kv">
              <dt>{t('input')}</dt><dd>{num(r.usage.input_tokens)}</dd><dt>{t('cache_read')}</dt><dd>{num(r.usage.cache_read_tokens)}</dd>
              <dt>{t('cache_write')}</dt><dd>{num(r.usage.cache_write_tokens)}</dd><dt>{t('output')}</dt><dd>{num(r.usage.output_tokens)}</dd>
              <dt>{t('reasoning')}</dt><dd>{num(r.usage.reasoning_tokens)}</dd>
            </dl> : <Empty>{t('unknown')}</Empty>}
            {r.redactions && <p><b>{t('redactions')}:</b> {Object.entries(r.redactions).map(([k, v]) => <span class="pill warn sp">{k} × {v}</span>)}</p>}
          </Card>
        </div>
        {r.attempts && r.attempts.length > 0 && <Card title={t('attempts')}>
          <table class="tbl"><tbody>{r.attempts.map((a, i) => (
            <tr><td>{i + 1}</td><td>{a.config}</td><td><StatusPill status={a.status ?? 0} error={a.error} /></td><td class="muted">{a.error || '—'}</td><td class="num">{ms(a.duration_ms)}</td></tr>
          ))}</tbody></table>
        </Card>}
        <div class="grid2">
          <Card title={t('req_headers')}><Headers h={r.request_headers} /></Card>
          <Card title={t('resp_headers')}><Headers h={r.response_headers} /></Card>
        </div>
        <Card title={t('body_sent')}><Cut id="body-sent-cut" size={r.request_size} b64={r.request_body} /><pre class="code" id="body-sent">{r.redaction_spans?.length && r.request_body ? markSpans(r.request_body, r.redaction_spans) : markRedactions(body(r.request_body))}</pre></Card>
        <ResponseCard r={r} raw={body(r.response_body)} />
      </>}
    </Page>
  )
}
