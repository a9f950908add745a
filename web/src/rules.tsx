import { Card } from './ui'
import { t } from './i18n'
import { RowsEditor, SaveBar, useDoc } from './edit'
import type { BalanceDoc, BalanceService, ConfigView, FilterRule, ModelMapping, ConfigMapping, RoutingDoc } from './api'
import { Select } from './ui'

const svcName = (s: string) => (s === 'claude' ? 'Claude Code' : s === 'codex' ? 'Codex CLI' : s)
const modes: [string, string][] = [['active-first', 'active-first'], ['weight-based', 'weight-based'], ['weighted-round-robin', 'weighted-round-robin']]

// BalanceSettings edits the mode and failover of each service in
// data/lb_config.json.
export function BalanceSettings(p: { services: string[]; onSaved: () => void }) {
  const d = useDoc<BalanceDoc>('balance')
  if (!d.doc) return d.err ? <Card title={t('balance_settings')}><p class="bad">{d.err}</p></Card> : null
  const doc = d.doc
  const get = (s: string): BalanceService => doc.services?.[s] ?? {}
  const set = (s: string, patch: Partial<BalanceService>) =>
    d.edit({ ...doc, services: { ...(doc.services ?? {}), [s]: { ...get(s), ...patch } } })
  const num = (v: string) => (v === '' ? undefined : Math.max(0, Number(v)))
  return (
    <Card title={t('balance_settings')} class="balance-settings">
      <table class="tbl" id="balance-settings">
        <thead><tr><th>{t('service')}</th><th>{t('mode')}</th><th>{t('failover')}</th><th>{t('failure_threshold')}</th><th>{t('auto_reset')}</th></tr></thead>
        <tbody>{p.services.map(s => {
          const c = get(s)
          const mode = c.mode || doc.mode || 'active-first'
          return (
            <tr data-service={s}>
              <td><b>{svcName(s)}</b></td>
              <td><Select value={mode} options={modes} onChange={v => set(s, { mode: v })} id={'mode-' + s} /></td>
              <td><label class="check"><input type="checkbox" id={'failover-' + s} checked={c.failover ?? mode !== 'active-first'}
                onChange={e => set(s, { failover: (e.target as HTMLInputElement).checked })} />{t('failover_help')}</label></td>
              <td><input type="number" min="1" class="narrow" value={c.failureThreshold ?? ''} placeholder="3"
                onInput={e => set(s, { failureThreshold: num((e.target as HTMLInputElement).value) })} /></td>
              <td><input type="number" min="0" step="any" class="narrow" value={c.autoResetMinutes ?? ''} placeholder="10"
                onInput={e => set(s, { autoResetMinutes: num((e.target as HTMLInputElement).value) })} /> {t('minutes')}</td>
            </tr>
          )
        })}</tbody>
      </table>
      <SaveBar id="balance-save" dirty={d.dirty} err={d.err} saved={d.saved} onSave={async () => { await d.save(); p.onSaved() }} onReset={d.reset} />
    </Card>
  )
}

// RoutingRules edits data/model_router_config.json: the mode and, per
// service, the model and config mapping rules (first match wins).
export function RoutingRules(p: { svc: string; configs: ConfigView[] }) {
  const d = useDoc<RoutingDoc>('routing')
  if (!d.doc) return d.err ? <Card title={t('route_rules_title')}><p class="bad">{d.err}</p></Card> : null
  const doc = d.doc
  const mm = doc.modelMappings?.[p.svc] ?? []
  const cm = doc.configMappings?.[p.svc] ?? []
  const cfgs: [string, string][] = p.configs.map(c => [c.name, c.name])
  return (
    <Card title={t('route_rules_title')} actions={<Select id="route-mode" value={doc.mode || 'default'}
      options={[['default', t('route_mode_default')], ['model-mapping', t('route_mode_model')], ['config-mapping', t('route_mode_config')]]}
      onChange={v => d.edit({ ...doc, mode: v })} />}>
      <h3>{t('model_mappings')} <small class="muted">{t('model_mappings_help')}</small></h3>
      <RowsEditor<ModelMapping> id="model-mappings" rows={mm} empty={t('no_rules')}
        blank={() => ({ source: '', target: '', source_type: 'model' })}
        cols={[
          { key: 'source_type', label: t('when'), options: [['model', t('src_model')], ['config', t('src_config')]] },
          { key: 'source', label: t('source'), placeholder: 'claude-opus-*' },
          { key: 'target', label: t('send_as'), placeholder: 'glm-4.6' },
        ]}
        onChange={rows => d.edit({ ...doc, modelMappings: { ...(doc.modelMappings ?? {}), [p.svc]: rows } })} />
      <h3>{t('config_mappings')} <small class="muted">{t('config_mappings_help')}</small></h3>
      <RowsEditor<ConfigMapping> id="config-mappings" rows={cm} empty={t('no_rules')}
        blank={() => ({ model: '', config: cfgs[0]?.[0] ?? '' })}
        cols={[
          { key: 'model', label: t('model'), placeholder: 'claude-haiku-*' },
          { key: 'config', label: t('config'), options: cfgs.length ? cfgs : undefined },
        ]}
        onChange={rows => d.edit({ ...doc, configMappings: { ...(doc.configMappings ?? {}), [p.svc]: rows } })} />
      {doc.mode !== 'model-mapping' && doc.mode !== 'config-mapping' && <p class="muted small">{t('route_mode_off')}</p>}
      <SaveBar id="routing-save" dirty={d.dirty} err={d.err} saved={d.saved} onSave={d.save} onReset={d.reset} />
    </Card>
  )
}

// FilterRules edits filter.json: ordered rules, each a regular expression
// (or literal text) and what replaces it.
export function FilterRules(p: { onSaved: () => void }) {
  const d = useDoc<FilterRule[] | FilterRule | null>('filter')
  if (d.doc === undefined) return d.err ? <Card title={t('filter_rules_title')}><p class="bad">{d.err}</p></Card> : null
  const rules: FilterRule[] = Array.isArray(d.doc) ? d.doc : d.doc ? [d.doc] : []
  return (
    <Card title={t('filter_rules_title')}>
      <RowsEditor<FilterRule> id="filter-rules" rows={rules} empty={t('no_rules')}
        blank={() => ({ name: '', source: '', target: '[REDACTED]', op: 'replace' })}
        cols={[
          { key: 'enabled', label: t('on'), kind: 'check' },
          { key: 'name', label: t('name'), placeholder: 'api-key' },
          { key: 'source', label: t('pattern'), placeholder: 'sk-[A-Za-z0-9]{20,}' },
          { key: 'op', label: t('action'), options: [['replace', t('op_replace')], ['remove', t('op_remove')]] },
          { key: 'target', label: t('replacement'), placeholder: '[REDACTED]' },
        ]}
        onChange={rows => d.edit(rows)} />
      <SaveBar id="filter-save" dirty={d.dirty} err={d.err} saved={d.saved} onSave={async () => { await d.save(); p.onSaved() }} onReset={d.reset} />
    </Card>
  )
}
