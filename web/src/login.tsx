import { useState } from 'preact/hooks'
import { api, APIError } from './api'
import { t } from './i18n'

// Login asks for the UI password (set with `clp ui password`) when the UI
// listens beyond loopback; the daemon answers with an HttpOnly session cookie.
export function Login(p: { onDone: () => void }) {
  const [pw, setPw] = useState('')
  const [err, setErr] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true); setErr('')
    try { await api.login(pw); p.onDone() } catch (x) {
      const st = x instanceof APIError ? x.status : 0
      if (st === 401) setPw('')
      setErr(st === 401 ? t('wrong_password') : st === 403 ? t('no_password') : (x as Error).message)
    }
    setBusy(false)
  }
  return (
    <div class="login-wrap">
      <form class="card login" id="login" onSubmit={submit}>
        <div class="logo"><span class="mark">C</span><div><b>{t('brand')}</b><small>{t('tagline')}</small></div></div>
        <h1>{t('login_title')}</h1>
        <p class="muted">{t('login_help')}</p>
        <label class="label" for="login-pw">{t('password')}</label>
        <input id="login-pw" type="password" autocomplete="current-password" autofocus value={pw}
          onInput={e => setPw((e.target as HTMLInputElement).value)} />
        {err && <p class="bad" id="login-err">{err}</p>}
        <button class="btn primary" id="login-btn" disabled={busy || !pw}>{t('login')}</button>
      </form>
    </div>
  )
}
