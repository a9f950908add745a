// Every string the UI shows, in English and Simplified Chinese.
const en = {
  brand: 'CLP', tagline: 'Local proxy for AI coding CLIs',
  nav_overview: 'Overview', nav_configs: 'Configs', nav_requests: 'Requests', nav_usage: 'Usage & cost',
  nav_balance: 'Load balancing', nav_routing: 'Model routing', nav_filter: 'Filter', nav_settings: 'Settings',
  service: 'Service', listens: 'Listens on', active: 'Active config', none: 'none', switch: 'Switch',
  use: 'Use', in_use: 'In use', requests: 'Requests', tokens: 'Tokens', cost: 'Cost', errors: 'Errors',
  today: 'Today', live: 'Live feed', live_empty: 'Waiting for requests… send one through the proxy and it appears here.',
  connected: 'live', disconnected: 'reconnecting',
  placeholder: 'No config yet: add one to start proxying.', problems: 'Configuration problems',
  name: 'Name', base_url: 'Base URL', credential: 'Credential', weight: 'Weight', state: 'State',
  enabled: 'Enabled', disabled: 'Disabled', invalid: 'Invalid', enable: 'Enable', disable: 'Disable',
  test: 'Test', testing: 'Testing…', test_ok: 'OK', latency: 'Latency', no_configs: 'No configs for this service.',
  time: 'Time', model: 'Model', status: 'Status', duration: 'Duration', ttfb: 'First byte', config: 'Config',
  all: 'All', ok: 'OK', error: 'Error', older: 'Older', newest: 'Newest', no_requests: 'No requests match. Requests appear here as soon as a CLI sends one.',
  back: 'Back', detail: 'Request', timing: 'Timing', attempts: 'Attempts', headers: 'Headers', req_headers: 'Request headers',
  body_cut: 'The log keeps the first {kept} of {size}.',
  resp_headers: 'Response headers', body_sent: 'Body as sent', response: 'Response', usage: 'Usage', redactions: 'Redactions',
  input: 'Input', output: 'Output', cache_read: 'Cache read', cache_write: 'Cache write', reasoning: 'Reasoning',
  unknown: 'unknown', incomplete: 'incomplete', stream: 'stream', not_found: 'Not found.',
  range: 'Range', last_24h: 'Last 24 hours', last_7d: 'Last 7 days', last_30d: 'Last 30 days',
  by_time: 'Tokens over time', by_model: 'By model', by_config: 'By config', cache_hit: 'Cache hit ratio',
  no_usage: 'No usage in this range yet.', p50: 'p50', p95: 'p95',
  mode: 'Mode', health: 'Health', failures: 'Failures', successes: 'Successes', excluded_until: 'Excluded until',
  last_error: 'Last error', reset: 'Reset', reset_all: 'Reset all', healthy: 'Healthy', excluded: 'Excluded',
  no_health: 'No health data yet: it fills in as requests go through.',
  route_tester: 'Route tester', route_help: 'Which config and model would a request for this model use?',
  route_result: 'Model {model} on {service} goes to config {config} as model {sent}.', check: 'Check',
  route_rules: 'Rules are saved to data/model_router_config.json in your CLP home and apply to the next request.',
  filter_try: 'Try it', filter_help: 'Paste text to see what the filter would replace before it leaves your machine.',
  filter_rules: 'Rules are saved to filter.json in your CLP home and apply to the next request; they run before the body leaves your machine.',
  filter_out: 'As sent', replaced: 'replacements', nothing_replaced: 'Nothing would be replaced.',
  language: 'Language', version: 'Version', home: 'CLP home', pid: 'Process', uptime: 'Uptime', ui_addr: 'Web UI',
  log_dropped: 'Log records dropped', settings_help: 'Settings are files in your CLP home; the daemon reloads them when they change.',
  not_wired: 'This daemon does not provide this yet.', load_error: 'Could not load: {msg}', retry: 'Retry',
  shutdown: 'Stop daemon', shutdown_confirm: 'Stop the CLP daemon?', stopped: 'The daemon is stopping.',
  login_title: 'Sign in', login_help: 'This CLP is reachable from the network, so it asks for the UI password (set on the server with `clp ui password`).',
  password: 'Password', login: 'Sign in', logout: 'Sign out', wrong_password: 'Wrong password.',
  no_password: 'No UI password is set yet: run `clp ui password` on the machine that runs clp.',
  add_config: 'Add config', edit: 'Edit', delete: 'Delete', delete_confirm: 'Delete for good', cancel: 'Cancel', save: 'Save', add: 'Add',
  remove: 'Remove', add_rule: 'Add rule', unsaved: 'Unsaved changes', saved: 'Saved: applies to the next request.', discard: 'Discard',
  cred_kind: 'Credential type', cred_keep: 'stored — leave empty to keep', weight_invalid: 'Weight must be a number ≥ 0.',
  balance_settings: 'Mode and failover', failover: 'Failover', failover_help: 'try the next config on failure',
  failure_threshold: 'Failures to exclude', auto_reset: 'Let back after', minutes: 'min',
  route_rules_title: 'Routing rules', route_mode_default: 'Off (send models as asked)', route_mode_model: 'Model mapping', route_mode_config: 'Config mapping',
  model_mappings: 'Model mapping', model_mappings_help: 'rename a model, or set the model whenever a config is the target',
  config_mappings: 'Config mapping', config_mappings_help: 'pin models to a config', route_mode_off: 'Routing is off: the rules are kept but not applied until you choose a mode.',
  when: 'When', src_model: 'model matches', src_config: 'config is', source: 'Pattern or config', send_as: 'Send as model', no_rules: 'No rules yet.',
  filter_rules_title: 'Filter rules', on: 'On', pattern: 'Pattern (regex or text)', action: 'Action', op_replace: 'Replace', op_remove: 'Remove',
  reassembled: 'Reassembled', raw_events: 'Raw events', raw_body: 'Raw body', thinking: 'Thinking', tool_call: 'Tool call',
  stop_reason: 'Stop', n_events: '{n} events', reply_empty: 'The response carried no text.',
  replacement: 'Replacement',
}
export type Key = keyof typeof en

const zh: Record<Key, string> = {
  brand: 'CLP', tagline: 'AI 编程 CLI 的本地代理',
  nav_overview: '概览', nav_configs: '配置', nav_requests: '请求', nav_usage: '用量与费用',
  nav_balance: '负载均衡', nav_routing: '模型路由', nav_filter: '过滤', nav_settings: '设置',
  service: '服务', listens: '监听地址', active: '当前配置', none: '无', switch: '切换',
  use: '使用', in_use: '使用中', requests: '请求数', tokens: 'Token', cost: '费用', errors: '错误',
  today: '今日', live: '实时请求', live_empty: '等待请求中……通过代理发送一个请求，它会出现在这里。',
  connected: '实时', disconnected: '重新连接中',
  placeholder: '还没有配置：添加一个即可开始代理。', problems: '配置问题',
  name: '名称', base_url: '地址', credential: '凭据', weight: '权重', state: '状态',
  enabled: '已启用', disabled: '已停用', invalid: '无效', enable: '启用', disable: '停用',
  test: '测试', testing: '测试中…', test_ok: '正常', latency: '延迟', no_configs: '此服务还没有配置。',
  time: '时间', model: '模型', status: '状态', duration: '耗时', ttfb: '首字节', config: '配置',
  all: '全部', ok: '成功', error: '错误', older: '更早', newest: '最新', no_requests: '没有匹配的请求。CLI 发出请求后会立即显示在这里。',
  back: '返回', detail: '请求', timing: '时间', attempts: '尝试', headers: '请求头', req_headers: '请求头',
  body_cut: '日志只保留了 {size} 中的前 {kept}。',
  resp_headers: '响应头', body_sent: '实际发送的请求体', response: '响应', usage: '用量', redactions: '脱敏',
  input: '输入', output: '输出', cache_read: '缓存读取', cache_write: '缓存写入', reasoning: '推理',
  unknown: '未知', incomplete: '不完整', stream: '流式', not_found: '未找到。',
  range: '范围', last_24h: '最近 24 小时', last_7d: '最近 7 天', last_30d: '最近 30 天',
  by_time: 'Token 趋势', by_model: '按模型', by_config: '按配置', cache_hit: '缓存命中率',
  no_usage: '此时间范围内还没有用量。', p50: 'p50', p95: 'p95',
  mode: '模式', health: '健康状态', failures: '失败', successes: '成功', excluded_until: '排除至',
  last_error: '最近错误', reset: '重置', reset_all: '全部重置', healthy: '健康', excluded: '已排除',
  no_health: '还没有健康数据：请求经过后会自动填充。',
  route_tester: '路由测试', route_help: '某个模型的请求会使用哪个配置和模型？',
  route_result: '{service} 上的模型 {model} 将由配置 {config} 以模型 {sent} 处理。', check: '检查',
  route_rules: '规则保存在 CLP 目录的 data/model_router_config.json 中，下一个请求即生效。',
  filter_try: '试一试', filter_help: '粘贴文本，查看过滤器在发送前会替换哪些内容。',
  filter_rules: '规则保存在 CLP 目录的 filter.json 中，下一个请求即生效；在请求体离开本机之前执行。',
  filter_out: '实际发送', replaced: '处替换', nothing_replaced: '没有内容会被替换。',
  language: '语言', version: '版本', home: 'CLP 目录', pid: '进程', uptime: '运行时间', ui_addr: '网页界面',
  log_dropped: '丢弃的日志记录', settings_help: '设置以文件形式保存在 CLP 目录中，修改后守护进程会自动重新加载。',
  not_wired: '当前守护进程尚未提供此功能。', load_error: '加载失败：{msg}', retry: '重试',
  shutdown: '停止守护进程', shutdown_confirm: '确定停止 CLP 守护进程？', stopped: '守护进程正在停止。',
  login_title: '登录', login_help: '此 CLP 可从网络访问，因此需要输入界面密码（在服务器上用 `clp ui password` 设置）。',
  password: '密码', login: '登录', logout: '退出登录', wrong_password: '密码错误。',
  no_password: '尚未设置界面密码：请在运行 clp 的机器上执行 `clp ui password`。',
  add_config: '添加配置', edit: '编辑', delete: '删除', delete_confirm: '确认删除', cancel: '取消', save: '保存', add: '添加',
  remove: '移除', add_rule: '添加规则', unsaved: '有未保存的修改', saved: '已保存：下一个请求即生效。', discard: '放弃修改',
  cred_kind: '凭据类型', cred_keep: '已保存 — 留空则保持不变', weight_invalid: '权重必须是不小于 0 的数字。',
  balance_settings: '模式与故障转移', failover: '故障转移', failover_help: '失败时尝试下一个配置',
  failure_threshold: '连续失败几次后排除', auto_reset: '排除后恢复时间', minutes: '分钟',
  route_rules_title: '路由规则', route_mode_default: '关闭（按请求的模型发送）', route_mode_model: '模型映射', route_mode_config: '配置映射',
  model_mappings: '模型映射', model_mappings_help: '重命名模型，或在发往某个配置时设置模型',
  config_mappings: '配置映射', config_mappings_help: '把模型固定到某个配置', route_mode_off: '路由已关闭：规则会保留，但在选择模式之前不会生效。',
  when: '条件', src_model: '模型匹配', src_config: '配置为', source: '模式或配置', send_as: '发送为模型', no_rules: '还没有规则。',
  filter_rules_title: '过滤规则', on: '启用', pattern: '模式（正则或文本）', action: '操作', op_replace: '替换', op_remove: '删除',
  reassembled: '重组后', raw_events: '原始事件', raw_body: '原始响应体', thinking: '思考过程', tool_call: '工具调用',
  stop_reason: '结束原因', n_events: '{n} 个事件', reply_empty: '响应中没有文本。',
  replacement: '替换为',
}

export const dicts = { en, zh }
export type Lang = keyof typeof dicts

export function defaultLang(): Lang {
  const saved = localStorage.getItem('clp.lang')
  if (saved === 'en' || saved === 'zh') return saved
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en'
}

// signalLang holds the current language; App re-renders when it changes.
export const signalLang = { value: defaultLang() }

// t translates key into the current language, filling {name} slots.
export function t(key: Key, vars?: Record<string, string | number>): string {
  let s = dicts[signalLang.value][key]
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll('{' + k + '}', String(v))
  return s
}
