// Typed access to the daemon's JSON API (the same one the CLI uses).

export interface Usage {
  input_tokens: number; cache_read_tokens: number; cache_write_tokens: number
  output_tokens: number; reasoning_tokens: number
}
export interface Attempt { config: string; status?: number; error?: string; duration_ms: number }
export interface Rec {
  id: number; time: string; service: string; config: string
  model_requested?: string; model_sent?: string; method: string; path: string
  status: number; stream: boolean; duration_ms: number; ttfb_ms: number
  attempts?: Attempt[]; usage?: Usage; incomplete?: boolean; cost_usd?: number
  redactions?: Record<string, number>; redaction_spans?: RedactionSpan[]; error?: string
  request_headers?: Record<string, string[]>; response_headers?: Record<string, string[]>
  request_body?: string; response_body?: string // base64
  request_size?: number; response_size?: number // the whole bodies' lengths (detail only)
  reply?: Reply // the answer reassembled from response_body (detail only)
}
export interface ReplyBlock { kind: 'text' | 'thinking' | 'tool_call'; name?: string; id?: string; text: string }
export interface Reply { model?: string; stop_reason?: string; error?: string; events: number; blocks: ReplyBlock[] }
export interface ConfigView {
  name: string; base_url: string; auth_token?: string; api_key?: string
  weight: number; active: boolean; disabled?: boolean; invalid?: string
}
export interface ServiceStatus {
  name: string; addr: string; active: string; mode: string; placeholder?: boolean
  configs: ConfigView[]; requests: number; errors: number; in_flight: number
}
export interface Status {
  pid: number; home: string; version: string; started_at: string; uptime_seconds: number
  ui_addr: string; services: ServiceStatus[]; problems?: { file: string; line?: number; message: string }[]
  log_dropped: number
}
export interface StatsRow {
  bucket?: string; service?: string; config?: string; model?: string
  requests: number; errors: number; usage: Usage; cost_usd: number; unknown_cost: number
  cache_hit_ratio: number; latency_p50_ms: number; latency_p95_ms: number; ttfb_p50_ms: number; ttfb_p95_ms: number
}
export interface Health {
  name: string; consecutiveFailures: number; totalFailures: number; totalSuccesses: number
  excludedUntil?: string; lastError?: string; lastFailure?: string
}
export interface RouteResult { service: string; model: string; config: string; model_sent: string }
export interface ConfigTest { config: string; ok: boolean; status?: number; latency_ms: number; error?: string }
export interface FilterResult { text: string; report: { counts?: Record<string, number>; spans?: { rule: string; start: number; end: number; preview: string }[] } }
export interface LiveEvent { type: string; time: string; service?: string; config?: string; record?: Rec }

// ConfigEdit is the body of a config add or edit; credentials are write-only.
export interface ConfigEdit { name?: string; base_url?: string; auth_token?: string; api_key?: string; weight?: number; credential_kind?: 'auth_token' | 'api_key' }
export type RulesKind = 'balance' | 'routing' | 'filter'
export interface BalanceService { mode?: string; failover?: boolean; failureThreshold?: number; autoResetMinutes?: number; [k: string]: unknown }
export interface BalanceDoc { mode?: string; services?: Record<string, BalanceService>; [k: string]: unknown }
export interface ModelMapping { source: string; target: string; source_type: string }
export interface ConfigMapping { model: string; config: string }
export interface RoutingDoc { mode?: string; modelMappings?: Record<string, ModelMapping[]>; configMappings?: Record<string, ConfigMapping[]>; [k: string]: unknown }
export interface FilterRule { name?: string; source: string; target: string; op: string; enabled?: boolean; services?: string[] }

export class APIError extends Error {
  constructor(public status: number, msg: string) { super(msg) }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch('/api/v1' + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (r.status === 401 && path !== '/login') dispatchEvent(new Event('clp:login'))
  if (!r.ok) {
    let msg = r.statusText
    try { msg = (await r.json()).error ?? msg } catch { /* not JSON */ }
    throw new APIError(r.status, msg)
  }
  return r.status === 204 || r.status === 202 ? (undefined as T) : r.json()
}

const q = (o: Record<string, string | number | undefined>) => {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s ? '?' + s : ''
}

export const api = {
  status: () => call<Status>('GET', '/status'),
  setActive: (svc: string, name: string) => call<void>('PUT', `/services/${svc}/active`, { name }),
  setEnabled: (svc: string, name: string, enabled: boolean) =>
    call<void>('PUT', `/services/${svc}/configs/${encodeURIComponent(name)}/enabled`, { enabled }),
  testConfig: (svc: string, name: string) => call<ConfigTest>('POST', `/services/${svc}/configs/${encodeURIComponent(name)}/test`),
  health: (svc: string) => call<Health[]>('GET', `/services/${svc}/health`),
  resetHealth: (svc: string, config = '') => call<void>('POST', `/services/${svc}/health/reset${q({ config })}`),
  route: (svc: string, model: string) => call<RouteResult>('GET', `/services/${svc}/route${q({ model })}`),
  tryFilter: (svc: string, text: string) => call<FilterResult>('POST', `/services/${svc}/filter/try`, { text }),
  requests: (f: Record<string, string | number | undefined>) =>
    call<{ records: Rec[]; next_before?: number }>('GET', '/requests' + q(f)),
  request: (id: number) => call<Rec>('GET', `/requests/${id}`),
  stats: (f: Record<string, string | undefined>) => call<StatsRow[]>('GET', '/stats' + q(f)),
  shutdown: () => call<void>('POST', '/shutdown'),
  addConfig: (svc: string, name: string, body: ConfigEdit) => call<void>('POST', `/services/${svc}/configs/${encodeURIComponent(name)}`, body),
  editConfig: (svc: string, name: string, body: ConfigEdit) => call<void>('PATCH', `/services/${svc}/configs/${encodeURIComponent(name)}`, body),
  removeConfig: (svc: string, name: string) => call<void>('DELETE', `/services/${svc}/configs/${encodeURIComponent(name)}`),
  rules: <T,>(kind: RulesKind) => call<T>('GET', `/rules/${kind}`),
  setRules: (kind: RulesKind, doc: unknown) => call<void>('PUT', `/rules/${kind}`, doc),
  session: () => call<{ login_required: boolean; authenticated: boolean }>('GET', '/session'),
  login: (password: string) => call<void>('POST', '/login', { password }),
  logout: () => call<void>('POST', '/logout'),
}

// subscribe opens the live feed and reconnects with backoff (never a tight loop).
export function subscribe(on: (e: LiveEvent) => void, onState: (up: boolean) => void): () => void {
  let ws: WebSocket | undefined, stopped = false, delay = 1000, timer = 0
  const open = () => {
    ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/events')
    ws.onopen = () => { delay = 1000; onState(true) }
    ws.onmessage = m => { try { on(JSON.parse(m.data)) } catch { /* ignore bad frames */ } }
    ws.onclose = () => {
      onState(false)
      if (!stopped) { timer = window.setTimeout(open, delay); delay = Math.min(delay * 2, 30000) }
    }
  }
  open()
  return () => { stopped = true; clearTimeout(timer); ws?.close() }
}

/** One replacement the filter made, as byte offsets into the body as sent. */
export interface RedactionSpan { rule: string; start: number; end: number; preview: string }
