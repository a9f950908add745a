import { useEffect, useRef, useState } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { api, type StatsRow } from './api'
import { t } from './i18n'
import { Card, Empty, LoadError, Page, Select, useLoad } from './ui'
import { compact, num, totalTokens, usd } from './format'

type Range = '24h' | '7d' | '30d'
const hours: Record<Range, number> = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30 }

function Chart(p: { rows: StatsRow[] }) {
  const el = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!el.current || p.rows.length === 0) return
    const xs = p.rows.map(r => new Date(r.bucket!).getTime() / 1000)
    const plot = new uPlot({
      width: el.current.clientWidth, height: 240,
      series: [{}, { label: t('input'), stroke: '#6366f1', fill: 'rgba(99,102,241,.12)' },
        { label: t('cache_read'), stroke: '#10b981' }, { label: t('output'), stroke: '#f59e0b' }],
      axes: [{}, { values: (_u, vs) => vs.map(v => compact(v)) }],
    }, [xs, p.rows.map(r => r.usage.input_tokens), p.rows.map(r => r.usage.cache_read_tokens), p.rows.map(r => r.usage.output_tokens)], el.current)
    return () => plot.destroy()
  }, [p.rows])
  return <div ref={el} class="chart" />
}

function Breakdown(p: { rows?: StatsRow[]; dim: 'model' | 'config' }) {
  if (!p.rows?.length) return <Empty>{t('no_usage')}</Empty>
  const max = Math.max(...p.rows.map(r => totalTokens(r.usage)), 1)
  return (
    <table class="tbl">
      <thead><tr><th>{t(p.dim)}</th><th class="num">{t('requests')}</th><th>{t('tokens')}</th><th class="num">{t('cache_hit')}</th><th class="num">{t('cost')}</th></tr></thead>
      <tbody>{p.rows.map(r => (
        <tr><td><code>{r[p.dim] || '—'}</code></td><td class="num">{num(r.requests)}</td>
          <td><div class="bar"><span style={{ width: (100 * totalTokens(r.usage) / max) + '%' }} /></div>{compact(totalTokens(r.usage))}</td>
          <td class="num">{Math.round(r.cache_hit_ratio * 100)}%</td><td class="num">{usd(r.cost_usd)}{r.unknown_cost ? '*' : ''}</td></tr>
      ))}</tbody>
    </table>
  )
}

export function Usage() {
  const [range, setRange] = useState<Range>('24h')
  const since = new Date(Date.now() - hours[range] * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z')
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone
  const bucket = range === '24h' ? 'hour' : 'day'
  const time = useLoad(() => api.stats({ since, bucket, tz }), [range])
  const byModel = useLoad(() => api.stats({ since, by: 'model' }), [range])
  const byConfig = useLoad(() => api.stats({ since, by: 'config' }), [range])
  return (
    <Page title={t('nav_usage')} actions={<Select id="range" value={range} options={[['24h', t('last_24h')], ['7d', t('last_7d')], ['30d', t('last_30d')]]} onChange={setRange} />}>
      <Card title={t('by_time')}>
        {time.err ? <LoadError err={time.err} retry={time.reload} /> : time.data?.length ? <Chart rows={time.data} /> : <Empty>{t('no_usage')}</Empty>}
      </Card>
      <div class="grid2">
        <Card title={t('by_model')}>{byModel.err ? <LoadError err={byModel.err} /> : <Breakdown rows={byModel.data} dim="model" />}</Card>
        <Card title={t('by_config')}>{byConfig.err ? <LoadError err={byConfig.err} /> : <Breakdown rows={byConfig.data} dim="config" />}</Card>
      </div>
    </Page>
  )
}
