import { useEffect, useState, useCallback } from 'preact/hooks'
import type { ComponentChildren } from 'preact'
import { APIError } from './api'
import { t } from './i18n'

// navigate changes the client-side route without a reload.
export function navigate(to: string) {
  history.pushState(null, '', to)
  dispatchEvent(new PopStateEvent('popstate'))
}

export function Link(p: { href: string; class?: string; children: ComponentChildren; id?: string }) {
  return (
    <a href={p.href} id={p.id} class={p.class} onClick={e => {
      if (e.ctrlKey || e.metaKey || e.button !== 0) return
      e.preventDefault(); navigate(p.href)
    }}>{p.children}</a>
  )
}

export function Card(p: { title?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; class?: string }) {
  return (
    <section class={'card ' + (p.class ?? '')}>
      {(p.title || p.actions) && <header class="card-h"><h2>{p.title}</h2><div>{p.actions}</div></header>}
      {p.children}
    </section>
  )
}

export function Empty(p: { children: ComponentChildren }) {
  return <div class="empty"><div class="empty-dot" />{p.children}</div>
}

export function Page(p: { title: string; sub?: string; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <div class="page">
      <div class="page-h"><div><h1>{p.title}</h1>{p.sub && <p class="muted">{p.sub}</p>}</div><div>{p.actions}</div></div>
      {p.children}
    </div>
  )
}

export function Select<T extends string>(p: { value: T; options: [T, string][]; onChange: (v: T) => void; id?: string }) {
  return (
    <select id={p.id} value={p.value} onChange={e => p.onChange((e.target as HTMLSelectElement).value as T)}>
      {p.options.map(([v, l]) => <option value={v}>{l}</option>)}
    </select>
  )
}

// useLoad runs fn on mount and when deps change; reload runs it again.
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>()
  const [err, setErr] = useState<Error | undefined>()
  const [n, setN] = useState(0)
  useEffect(() => {
    let live = true
    fn().then(d => { if (live) { setData(d); setErr(undefined) } }, e => { if (live) setErr(e) })
    return () => { live = false }
  }, [...deps, n])
  const reload = useCallback(() => setN(x => x + 1), [])
  return { data, err, reload }
}

export function LoadError(p: { err: Error; retry?: () => void }) {
  if (p.err instanceof APIError && p.err.status === 501) return <Empty>{t('not_wired')}</Empty>
  return (
    <div class="alert">{t('load_error', { msg: p.err.message })}
      {p.retry && <button class="btn sm" onClick={p.retry}>{t('retry')}</button>}</div>
  )
}

export function StatusPill(p: { status: number; error?: string }) {
  const bad = p.status < 200 || p.status >= 400 || !!p.error
  return <span class={'pill ' + (bad ? 'bad' : 'good')}>{p.status || '—'}</span>
}
