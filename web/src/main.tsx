import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import './style.css'
import { signalLang, t, type Key, type Lang } from './i18n'
import { Link } from './ui'
import { Overview, Configs, Balance, Routing, Filter, Settings } from './pages'
import { Requests, RequestDetail } from './requests'
import { Usage } from './usage'
import { Login } from './login'
import { api } from './api'

const nav: [string, Key, string][] = [
  ['/', 'nav_overview', 'M3 12l9-9 9 9M5 10v10h14V10'],
  ['/configs', 'nav_configs', 'M4 6h16M4 12h16M4 18h10'],
  ['/requests', 'nav_requests', 'M4 5h16v14H4zM4 10h16'],
  ['/usage', 'nav_usage', 'M4 20V10M10 20V4M16 20v-7M22 20H2'],
  ['/balance', 'nav_balance', 'M12 3v18M5 8l-3 6h6zM19 8l-3 6h6zM5 8h14'],
  ['/routing', 'nav_routing', 'M4 6h6l4 12h6M14 6h6'],
  ['/filter', 'nav_filter', 'M3 5h18l-7 8v6l-4 2v-8z'],
  ['/settings', 'nav_settings', 'M12 8a4 4 0 100 8 4 4 0 000-8zM12 2v3M12 19v3M2 12h3M19 12h3'],
]

function route(path: string) {
  const m = path.match(/^\/requests\/(\d+)$/)
  if (m) return <RequestDetail id={Number(m[1])} />
  switch (path) {
    case '/configs': return <Configs />
    case '/requests': return <Requests />
    case '/usage': return <Usage />
    case '/balance': return <Balance />
    case '/routing': return <Routing />
    case '/filter': return <Filter />
    case '/settings': return <Settings />
    default: return <Overview />
  }
}

function App() {
  const [path, setPath] = useState(location.pathname)
  const [lang, setLangState] = useState<Lang>(signalLang.value)
  useEffect(() => {
    const on = () => setPath(location.pathname)
    addEventListener('popstate', on)
    return () => removeEventListener('popstate', on)
  }, [])
  const setLang = (l: Lang) => {
    signalLang.value = l
    localStorage.setItem('clp.lang', l)
    setLangState(l)
  }
  useEffect(() => { document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en' }, [lang])
  // auth: undefined while asking the daemon, then whether pages may load.
  const [auth, setAuth] = useState<{ need: boolean; ok: boolean } | undefined>()
  useEffect(() => {
    api.session().then(s => setAuth({ need: s.login_required, ok: s.authenticated }), () => setAuth({ need: false, ok: true }))
    const on = () => setAuth({ need: true, ok: false })
    addEventListener('clp:login', on)
    return () => removeEventListener('clp:login', on)
  }, [])
  if (!auth) return null
  if (!auth.ok) return <Login onDone={() => setAuth({ need: true, ok: true })} />
  const logout = async () => { await api.logout().catch(() => {}); setAuth({ need: true, ok: false }) }
  const current = path.startsWith('/requests') ? '/requests' : path
  return (
    <div class="shell" key={lang}>
      <aside class="side">
        <div class="logo"><span class="mark">C</span><div><b>{t('brand')}</b><small>{t('tagline')}</small></div></div>
        <nav>
          {nav.map(([href, key, icon]) => (
            <Link href={href} id={'nav-' + (href === '/' ? 'overview' : href.slice(1))} class={current === href ? 'on' : ''}>
              <svg viewBox="0 0 24 24"><path d={icon} /></svg>{t(key)}
            </Link>
          ))}
        </nav>
        {auth.need && <button class="logout" id="logout" onClick={logout}>{t('logout')}</button>}
        <div class="lang">
          <button id="lang-en" class={lang === 'en' ? 'on' : ''} onClick={() => setLang('en')}>English</button>
          <button id="lang-zh" class={lang === 'zh' ? 'on' : ''} onClick={() => setLang('zh')}>中文</button>
        </div>
      </aside>
      <main>{route(path)}</main>
    </div>
  )
}

render(<App />, document.getElementById('app')!)
