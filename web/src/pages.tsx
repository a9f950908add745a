import { useEffect, useState } from 'preact/hooks'
import { api, subscribe, type LiveEvent, type Rec, type ServiceStatus, type ConfigTest } from './api'
import { t, signalLang } from './i18n'
import { Card, Empty, Link, LoadError, Page, Select, StatusPill, useLoad } from './ui'
import { compact, duration, ms, num, totalTokens, usd, when } from './format'
import { ConfigForm, Confirm } from './edit'
import { BalanceSettings, FilterRules, RoutingRules } from './rules'

const todayStart = () => { const d = new Date(); d.setHours(0, 0, 0, 0); return d.toISOString().replace(/\.\d+Z$/, 'Z') }

function ServiceCard(p: { s: ServiceStatus; onSwitched: () => void }) {
  const [busy, setBusy] = useState(false)
  const [err, setErr] = useState('')
  const usable = p.s.configs.filter(c => !c.invalid && !c.disabled)
  const sw = async (name: string) => {
    setBusy(true); setErr('')
    try { await api.setActive(p.s.name, name); p.onSwitched() } catch (e) { setErr((e as Error).message) }
    setBusy(false)
  }
  return (
    <Card title={<span class="svc-title"><span class={'dot ' + (p.s.placeholder ? 'warn' : 'live')} />{p.s.name === 'claude' ? 'Claude Code' : 'Codex CLI'}</span>}
      actions={<code class="muted">{p.s.addr}</code>}>
      <div class="svc" id={'svc-' + p.s.name}>
        <div class="label">{t('active')}</div>
        <div class="active-name">{p.s.active || <span class="muted">{t('none')}</span>}</div>
        {p.s.placeholder && <p class="muted">{t('placeholder')}</p>}
        <div class="chips">
          {usable.map(c => (
            <button class={'chip' + (c.name === p.s.active ? ' on' : '')} disabled={busy || c.name === p.s.active}
              data-config={c.name} onClick={() => sw(c.name)}>
              {c.name}{c.name === p.s.active && <small> · {t('in_use')}</small>}
            </button>
          ))}
        </div>
        {err && <p class="bad">{err}</p>}
      </div>
    </Card>
  )
}

function TodayTiles(p: { tick: number }) {
  const { data, err } = useLoad(() => api.stats({ since: todayStart() }), [p.tick])
  const r = data?.[0]
  const tiles: [string, string][] = [
    [t('requests'), r ? num(r.requests) : '0'],
    [t('tokens'), r ? compact(totalTokens(r.usage)) : '0'],
    [t('cost'), r ? usd(r.cost_usd) : usd(0)],
    [t('errors'), r ? num(r.errors) : '0'],
  ]
  return (
    <div class="tiles" id="today">
      {tiles.map(([k, v]) => <div class="tile"><div class="label">{t('today')} · {k}</div><div class="big">{err ? '—' : v}</div></div>)}
    </div>
  )
}

function LiveFeed(p: { onEvent: (e: LiveEvent) => void }) {
  const [items, setItems] = useState<Rec[]>([])
  const [up, setUp] = useState(false)
  useEffect(() => {
    api.requests({ limit: 12 }).then(pg => setItems(pg.records), () => {})
    return subscribe(e => {
      p.onEvent(e)
      if (!e.record) return
      const rec = e.record
      setItems(xs => [rec, ...xs.filter(x => x.id !== rec.id)].slice(0, 12))
    }, setUp)
  }, [])
  return (
    <Card title={t('live')} actions={<span class={'live-state ' + (up ? 'up' : '')}><span class="dot" />{up ? t('connected') : t('disconnected')}</span>}>
      {items.length === 0 ? <Empty>{t('live_empty')}</Empty> : (
        <table class="tbl" id="live-feed">
          <tbody>{items.map(r => (
            <tr data-id={r.id}>
              <td class="muted nowrap">{when(r.time)}</td>
              <td>{r.service}</td>
              <td>{r.config}</td>
              <td><code>{r.model_sent || r.model_requested || '—'}</code></td>
              <td>{r.status ? <StatusPill status={r.status} error={r.error} /> : <span class="pill run">…</span>}</td>
              <td class="num">{r.usage ? compact(totalTokens(r.usage)) : ''}</td>
              <td class="num"><Link href={'/requests/' + r.id}>{ms(r.duration_ms)}</Link></td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </Card>
  )
}

export function Overview() {
  const { data, err, reload } = useLoad(api.status, [])
  const [tick, setTick] = useState(0) // bumps when a request ends: refetch today's totals
  return (
    <Page title={t('nav_overview')}>
      {err && <LoadError err={err} retry={reload} />}
      {data?.problems?.length ? <div class="alert"><b>{t('problems')}</b>{data.problems.map(p => <div><code>{p.file}{p.line ? ':' + p.line : ''}</code> {p.message}</div>)}</div> : null}
      <TodayTiles tick={tick} />
      <div class="grid2">{data?.services.map(s => <ServiceCard s={s} onSwitched={reload} />)}</div>
      <LiveFeed onEvent={e => {
        if (e.type === 'config.switched' || e.type === 'status.changed') reload()
        if (e.type === 'request.done') setTick(x => x + 1)
      }} />
    </Page>
  )
}

export function Configs() {
  const { data, err, reload } = useLoad(api.status, [])
  const [tests, setTests] = useState<Record<string, ConfigTest | 'run'>>({})
  const [editing, setEditing] = useState('') // "svc/name", "svc/" to add, "" for none
  useEffect(() => subscribe(e => { if (e.type === 'status.changed' || e.type === 'config.switched') reload() }, () => {}), [])
  const done = () => { setEditing(''); reload() }
  const act = async (f: () => Promise<void>) => { try { await f() } catch (e) { alert((e as Error).message) } reload() }
  const test = async (svc: string, name: string) => {
    const k = svc + '/' + name
    setTests(x => ({ ...x, [k]: 'run' }))
    try { const r = await api.testConfig(svc, name); setTests(x => ({ ...x, [k]: r })) }
    catch (e) { setTests(x => ({ ...x, [k]: { config: name, ok: false, latency_ms: 0, error: (e as Error).message } })) }
  }
  return (
    <Page title={t('nav_configs')}>
      {err && <LoadError err={err} retry={reload} />}
      {data?.services.map(s => (
        <Card title={s.name === 'claude' ? 'Claude Code' : 'Codex CLI'}
          actions={editing !== s.name + '/' && <button class="btn sm primary" id={'add-' + s.name} onClick={() => setEditing(s.name + '/')}>+ {t('add_config')}</button>}>
          {editing === s.name + '/' && <ConfigForm svc={s.name} onDone={done} onCancel={() => setEditing('')} />}
          {s.configs.length === 0 ? <Empty>{t('no_configs')}</Empty> : (
            <table class="tbl">
              <thead><tr><th>{t('name')}</th><th>{t('base_url')}</th><th>{t('credential')}</th><th class="num">{t('weight')}</th><th>{t('state')}</th><th /></tr></thead>
              <tbody>{s.configs.map(c => {
                const tr = tests[s.name + '/' + c.name]
                if (editing === s.name + '/' + c.name) return (
                  <tr><td colSpan={6}><ConfigForm svc={s.name} c={c} onDone={done} onCancel={() => setEditing('')} /></td></tr>
                )
                return (
                  <tr data-config={c.name}>
                    <td><b>{c.name}</b>{c.active && <span class="pill good sp">{t('in_use')}</span>}</td>
                    <td><code class="muted">{c.base_url}</code></td>
                    <td><code>{c.auth_token || c.api_key || '—'}</code></td>
                    <td class="num">{c.weight}</td>
                    <td>{c.invalid ? <span class="pill bad" title={c.invalid}>{t('invalid')}</span> : c.disabled ? <span class="pill">{t('disabled')}</span> : <span class="pill good">{t('enabled')}</span>}
                      {tr && <div class="small">{tr === 'run' ? t('testing') : tr.ok ? `${t('test_ok')} · ${ms(tr.latency_ms)}` : <span class="bad">{tr.error}</span>}</div>}</td>
                    <td class="right nowrap">
                      {!c.active && !c.invalid && !c.disabled && <button class="btn sm primary" onClick={() => act(() => api.setActive(s.name, c.name))}>{t('use')}</button>}
                      <button class="btn sm" onClick={() => test(s.name, c.name)}>{t('test')}</button>
                      <button class="btn sm" onClick={() => act(() => api.setEnabled(s.name, c.name, !!c.disabled))}>{c.disabled ? t('enable') : t('disable')}</button>
                      <button class="btn sm" name="edit" onClick={() => setEditing(s.name + '/' + c.name)}>{t('edit')}</button>
                      <Confirm label={t('delete')} ask={t('delete_confirm')} class="del" onYes={() => act(() => api.removeConfig(s.name, c.name))} />
                    </td>
                  </tr>
                )
              })}</tbody>
            </table>
          )}
        </Card>
      ))}
    </Page>
  )
}

function HealthCard(p: { s: ServiceStatus }) {
  const { data: all, err, reload } = useLoad(() => api.health(p.s.name), [p.s.name])
  const data = all?.filter(h => p.s.configs.some(c => c.name === h.name)) // renamed or deleted configs keep old health
  const reset = async (name = '') => { await api.resetHealth(p.s.name, name).catch(() => {}); reload() }
  return (
    <Card title={p.s.name === 'claude' ? 'Claude Code' : 'Codex CLI'}
      actions={<><span class="muted">{t('mode')}: <b>{p.s.mode || '—'}</b></span> <button class="btn sm" onClick={() => reset()}>{t('reset_all')}</button></>}>
      {err ? <LoadError err={err} retry={reload} /> : !data?.length ? <Empty>{t('no_health')}</Empty> : (
        <table class="tbl">
          <thead><tr><th>{t('config')}</th><th class="num">{t('weight')}</th><th>{t('health')}</th><th class="num">{t('successes')}</th><th class="num">{t('failures')}</th><th>{t('last_error')}</th><th /></tr></thead>
          <tbody>{data.map(h => (
            <tr>
              <td><b>{h.name}</b></td>
              <td class="num">{p.s.configs.find(c => c.name === h.name)?.weight ?? '—'}</td>
              <td>{h.excludedUntil ? <span class="pill bad">{t('excluded')} · {when(h.excludedUntil)}</span> : <span class="pill good">{t('healthy')}</span>}</td>
              <td class="num">{num(h.totalSuccesses)}</td>
              <td class="num">{num(h.totalFailures)}</td>
              <td class="muted">{h.lastError || '—'}</td>
              <td class="right"><button class="btn sm" onClick={() => reset(h.name)}>{t('reset')}</button></td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </Card>
  )
}

export function Balance() {
  const { data, err, reload } = useLoad(api.status, [])
  return (
    <Page title={t('nav_balance')}>
      {err && <LoadError err={err} retry={reload} />}
      {data && <BalanceSettings services={data.services.map(s => s.name)} onSaved={reload} />}
      {data?.services.map(s => <HealthCard s={s} />)}
    </Page>
  )
}

const services: ['claude' | 'codex', string][] = [['claude', 'Claude Code'], ['codex', 'Codex CLI']]

export function Routing() {
  const [svc, setSvc] = useState<'claude' | 'codex'>('claude')
  const [model, setModel] = useState('claude-sonnet-4-5')
  const [out, setOut] = useState<string>('')
  const { data } = useLoad(api.status, [])
  const check = async (e: Event) => {
    e.preventDefault()
    try {
      const r = await api.route(svc, model)
      setOut(t('route_result', { model: r.model, service: r.service, config: r.config, sent: r.model_sent }))
    } catch (err) { setOut((err as Error).message) }
  }
  return (
    <Page title={t('nav_routing')} sub={t('route_rules')}>
      <Card title={t('route_tester')}>
        <p class="muted">{t('route_help')}</p>
        <form class="row" onSubmit={check}>
          <Select value={svc} options={services} onChange={setSvc} />
          <input value={model} onInput={e => setModel((e.target as HTMLInputElement).value)} />
          <button class="btn primary">{t('check')}</button>
        </form>
        {out && <div class="result" id="route-out">{out}</div>}
      </Card>
      <RoutingRules key={svc} svc={svc} configs={data?.services.find(x => x.name === svc)?.configs ?? []} />
    </Page>
  )
}

export function Filter() {
  const [svc, setSvc] = useState<'claude' | 'codex'>('claude')
  const [text, setText] = useState('')
  const [res, setRes] = useState<{ text: string; n: number; err?: string } | undefined>()
  const [gen, setGen] = useState(0) // bumps when the rules are saved: try again
  useEffect(() => {
    if (!text) { setRes(undefined); return }
    const id = setTimeout(() => {
      api.tryFilter(svc, text).then(
        r => setRes({ text: r.text, n: Object.values(r.report.counts ?? {}).reduce((a, b) => a + b, 0) }),
        e => setRes({ text: '', n: 0, err: (e as Error).message }))
    }, 250) // debounced: one request per pause in typing
    return () => clearTimeout(id)
  }, [svc, text, gen])
  return (
    <Page title={t('nav_filter')} sub={t('filter_rules')}>
      <FilterRules onSaved={() => setGen(g => g + 1)} />
      <Card title={t('filter_try')} actions={<Select value={svc} options={services} onChange={setSvc} />}>
        <p class="muted">{t('filter_help')}</p>
        <div class="grid2">
          <textarea id="filter-in" rows={10} value={text} onInput={e => setText((e.target as HTMLTextAreaElement).value)} />
          <div>
            <div class="label">{t('filter_out')}</div>
            {res?.err ? <p class="bad">{res.err}</p> : <pre class="code">{res?.text}</pre>}
            {res && !res.err && <p class="muted">{res.n ? `${res.n} ${t('replaced')}` : t('nothing_replaced')}</p>}
          </div>
        </div>
      </Card>
    </Page>
  )
}

export function Settings() {
  const { data, err, reload } = useLoad(api.status, [])
  const rows: [string, string][] = data ? [
    [t('version'), data.version], [t('home'), data.home], [t('pid'), String(data.pid)],
    [t('uptime'), duration(data.uptime_seconds)], [t('ui_addr'), data.ui_addr], [t('log_dropped'), num(data.log_dropped)],
  ] : []
  return (
    <Page title={t('nav_settings')} sub={t('settings_help')}>
      {err && <LoadError err={err} retry={reload} />}
      <Card title={t('language')}><p>{signalLang.value === 'zh' ? '中文（简体）' : 'English'}</p></Card>
      <Card><dl class="kv">{rows.map(([k, v]) => <><dt>{k}</dt><dd><code>{v}</code></dd></>)}</dl></Card>
    </Page>
  )
}
