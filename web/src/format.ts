import { signalLang } from './i18n'
import type { Usage } from './api'

const loc = () => (signalLang.value === 'zh' ? 'zh-CN' : 'en-US')
export const num = (n: number) => new Intl.NumberFormat(loc()).format(n)
export const compact = (n: number) => new Intl.NumberFormat(loc(), { notation: 'compact', maximumFractionDigits: 1 }).format(n)
export const usd = (n: number | undefined) => (n === undefined || n === null ? '—' : '$' + (n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)))
export const ms = (n: number) => (n >= 1000 ? (n / 1000).toFixed(2) + ' s' : Math.round(n) + ' ms')
export const when = (iso: string) => new Date(iso).toLocaleString(loc(), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })
export const totalTokens = (u?: Usage) => (u ? u.input_tokens + u.cache_read_tokens + u.cache_write_tokens + u.output_tokens : 0)
export const isError = (status: number, error?: string) => status < 200 || status >= 400 || !!error
export function b64text(b?: string): string {
  if (!b) return ''
  try { return new TextDecoder().decode(Uint8Array.from(atob(b), c => c.charCodeAt(0))) } catch { return b }
}
// b64len is the length of the bytes that base64 b encodes.
export const b64len = (b?: string) => (b ? (b.length * 3) / 4 - (b.endsWith('==') ? 2 : b.endsWith('=') ? 1 : 0) : 0)
// bytes is n bytes in KB or MB.
export const bytes = (n: number) => (n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + ' MB' : n >= 1024 ? Math.round(n / 1024) + ' KB' : n + ' B')
export function duration(sec: number): string {
  const d = Math.floor(sec / 86400), h = Math.floor((sec % 86400) / 3600), m = Math.floor((sec % 3600) / 60)
  return (d ? d + 'd ' : '') + (h ? h + 'h ' : '') + m + 'm'
}
