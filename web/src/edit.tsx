import { useEffect, useState } from 'preact/hooks'
import type { ComponentChildren } from 'preact'
import { api, type ConfigView, type ConfigEdit } from './api'
import { t } from './i18n'

const val = (e: Event) => (e.target as HTMLInputElement).value

// ConfigForm adds a config (c undefined) or edits one. Credentials are
// write-only: the stored one is never shown, and an empty field keeps it.
export function ConfigForm(p: { svc: string; c?: ConfigView; onDone: () => void; onCancel: () => void }) {
  const [name, setName] = useState(p.c?.name ?? '')
  const [url, setUrl] = useState(p.c?.base_url ?? '')
  const initialKind = p.c?.api_key && !p.c?.auth_token ? 'api_key' : 'auth_token'
  const [kind, setKind] = useState<'auth_token' | 'api_key'>(initialKind)
  const [cred, setCred] = useState('')
  const [weight, setWeight] = useState(String(p.c?.weight ?? 0))
  const [err, setErr] = useState('')
  const [busy, setBusy] = useState(false)
  const save = async (e: Event) => {
    e.preventDefault()
    const w = Number(weight)
    if (!Number.isFinite(w) || w < 0) { setErr(t('weight_invalid')); return }
    const body: ConfigEdit = { base_url: url.trim(), weight: w }
    // A changed kind makes it the config's only credential; without a new
    // value the stored one moves over. An unchanged kind touches neither.
    if (kind !== initialKind) body.credential_kind = kind
    if (cred.trim()) body[kind] = cred.trim()
    setBusy(true); setErr('')
    try {
      if (p.c) {
        if (name.trim() !== p.c.name) body.name = name.trim()
        await api.editConfig(p.svc, p.c.name, body)
      } else {
        await api.addConfig(p.svc, name.trim(), body)
      }
      p.onDone()
    } catch (x) { setErr((x as Error).message) }
    setBusy(false)
  }
  return (
    <form class="editor" id={'config-form-' + p.svc} onSubmit={save}>
      <div class="form-grid">
        <label>{t('name')}<input name="name" required value={name} onInput={e => setName(val(e))} /></label>
        <label class="wide">{t('base_url')}<input name="base_url" required placeholder="https://api.anthropic.com" value={url} onInput={e => setUrl(val(e))} /></label>
        <label>{t('cred_kind')}
          <select name="kind" value={kind} onChange={e => setKind(val(e) as 'auth_token' | 'api_key')}>
            <option value="auth_token">auth_token (Bearer)</option><option value="api_key">api_key (x-api-key)</option>
          </select></label>
        <label class="wide">{t('credential')}
          <input name="credential" type="password" autocomplete="off" required={!p.c} value={cred}
            placeholder={p.c ? t('cred_keep') : 'sk-…'} onInput={e => setCred(val(e))} /></label>
        <label>{t('weight')}<input name="weight" type="number" min="0" step="any" value={weight} onInput={e => setWeight(val(e))} /></label>
      </div>
      {err && <p class="bad form-err">{err}</p>}
      <div class="row end">
        <button type="button" class="btn" onClick={p.onCancel}>{t('cancel')}</button>
        <button class="btn primary" name="save" disabled={busy}>{p.c ? t('save') : t('add')}</button>
      </div>
    </form>
  )
}

// Confirm is a button that asks once more, in place, before it acts.
export function Confirm(p: { label: string; ask: string; onYes: () => void; class?: string }) {
  const [asking, setAsking] = useState(false)
  return asking
    ? <span class="confirm"><button class="btn sm danger" onClick={() => { setAsking(false); p.onYes() }}>{p.ask}</button>
      <button class="btn sm" onClick={() => setAsking(false)}>{t('cancel')}</button></span>
    : <button class={'btn sm ' + (p.class ?? '')} onClick={() => setAsking(true)}>{p.label}</button>
}

export interface Column<R> { key: keyof R & string; label: string; kind?: 'text' | 'check'; options?: [string, string][]; placeholder?: string }

// RowsEditor edits a list of rule objects: one row each, add and remove.
// Fields that have no column are kept as they are.
export function RowsEditor<R extends object>(p: { id: string; rows: R[]; cols: Column<R>[]; blank: () => R; onChange: (rows: R[]) => void; empty: ComponentChildren }) {
  const set = (i: number, k: string, v: unknown) => p.onChange(p.rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)))
  return (
    <div class="rows-editor" id={p.id}>
      {p.rows.length === 0 ? <p class="muted">{p.empty}</p> : (
        <table class="tbl">
          <thead><tr><th>#</th>{p.cols.map(c => <th>{c.label}</th>)}<th /></tr></thead>
          <tbody>{p.rows.map((r, i) => (
            <tr>
              <td class="muted">{i + 1}</td>
              {p.cols.map(c => {
                const v = (r as Record<string, unknown>)[c.key]
                return <td>{c.kind === 'check'
                  ? <input type="checkbox" name={c.key} checked={v !== false} onChange={e => set(i, c.key, (e.target as HTMLInputElement).checked)} />
                  : c.options
                    ? <select name={c.key} value={String(v ?? c.options[0][0])} onChange={e => set(i, c.key, val(e))}>{c.options.map(([o, l]) => <option value={o}>{l}</option>)}</select>
                    : <input name={c.key} placeholder={c.placeholder} value={String(v ?? '')} onInput={e => set(i, c.key, val(e))} />}</td>
              })}
              <td class="right"><button class="btn sm" title={t('remove')} onClick={() => p.onChange(p.rows.filter((_, j) => j !== i))}>✕</button></td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <button class="btn sm add-row" onClick={() => p.onChange([...p.rows, p.blank()])}>+ {t('add_rule')}</button>
    </div>
  )
}

// SaveBar shows whether there are unsaved changes, the last error, and Save.
export function SaveBar(p: { dirty: boolean; err: string; saved: boolean; onSave: () => void; onReset: () => void; id?: string }) {
  return (
    <div class="savebar" id={p.id}>
      <span class={p.err ? 'bad' : 'muted'}>{p.err || (p.dirty ? t('unsaved') : p.saved ? t('saved') : '')}</span>
      <span>
        {p.dirty && <button class="btn sm" onClick={p.onReset}>{t('discard')}</button>}
        <button class="btn sm primary" disabled={!p.dirty} onClick={p.onSave}>{t('save')}</button>
      </span>
    </div>
  )
}

// useDoc loads a rules document, tracks edits and saves the whole document
// (fields the UI does not show included).
export function useDoc<T>(kind: 'balance' | 'routing' | 'filter') {
  const [orig, setOrig] = useState<T | undefined>()
  const [doc, setDoc] = useState<T | undefined>()
  const [err, setErr] = useState('')
  const [saved, setSaved] = useState(false)
  const load = () => api.rules<T>(kind).then(d => { setOrig(d); setDoc(d); setErr('') }, e => setErr((e as Error).message))
  useEffect(() => { load() }, [])
  const dirty = JSON.stringify(doc) !== JSON.stringify(orig)
  const save = async () => {
    try { await api.setRules(kind, doc); setOrig(doc); setErr(''); setSaved(true) } catch (e) { setErr((e as Error).message) }
  }
  const edit = (d: T) => { setDoc(d); setSaved(false) }
  return { doc, edit, dirty, err, saved, save, reset: () => { setDoc(orig); setErr('') } }
}
