/**
 * The admin HTML page: listeners with their certificates, then recent activity, newest first,
 * failed rows marked. Self-contained (inline CSS, no scripts, no external assets), so it works
 * on an air-gapped host and under a strict Content-Security-Policy.
 */
import escapeHtml from 'escape-html';
import { ACTIVITY_FILTERS, matchesFilter, type ActivityEntry, type ActivityFilter } from '../observe/activity.js';
import { EXPIRY_WARNING_DAYS } from '../tls/cert-checks.js';

/** One listener as the page shows it. */
export interface ListenerView {
  port: number;
  host: string;
  subject: string;
  chainLength: number;
  daysToExpiry: number;
}

/** What the page shows. */
export interface PageModel {
  listeners: readonly ListenerView[];
  entries: readonly ActivityEntry[];
  filter: ActivityFilter;
  capacity: number;
  generatedAt: number;
}

/** The Content-Security-Policy the page is served with: inline styles, nothing else. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const FILTER_LABELS: Record<ActivityFilter, string> = { all: 'All', processed: 'Processed', unprocessed: 'Unprocessed', failed: 'Failed' };

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222;background:#fafafa}
h1{font-size:1.4rem;margin:0 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eee;font-weight:600}
tr.failed td{background:#fdecea}tr.failed td.outcome{color:#a40000;font-weight:600}
tr.unprocessed td{background:#fff6e0}tr.processed td.outcome{color:#176b1d}
td.warn{color:#a40000;font-weight:600}
.hint{color:#555}.muted{color:#777}code{font-size:.9em}
form{margin:.5rem 0}
`;

/** Renders the whole page; every value from a client is escaped. */
export function renderPage(m: PageModel): string {
  const e = escapeHtml;
  const listeners = m.listeners
    .map((l) => {
      const warn = l.daysToExpiry < EXPIRY_WARNING_DAYS ? ' class="warn"' : '';
      return `<tr data-port="${l.port}"><td>${e(l.host)}:${l.port}</td><td class="subject">${e(l.subject)}</td><td class="chain">${l.chainLength}</td><td class="days"${warn}>${l.daysToExpiry}</td></tr>`;
    })
    .join('\n');
  const options = ACTIVITY_FILTERS.map((f) => `<option value="${f}"${f === m.filter ? ' selected' : ''}>${FILTER_LABELS[f]}</option>`).join('');
  const rows = m.entries.map((x) => row(x)).join('\n');
  const empty = m.entries.length === 0 ? `<tr><td colspan="7" class="muted">No ${m.filter === 'all' ? '' : e(FILTER_LABELS[m.filter].toLowerCase()) + ' '}activity yet.</td></tr>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>tlsgate: recent activity</title><style>${CSS}</style></head>
<body>
<h1>tlsgate</h1>
<h2>Listeners</h2>
<table id="listeners"><thead><tr><th>Listener</th><th>Certificate subject</th><th>Chain length</th><th>Days to expiry</th></tr></thead>
<tbody>
${listeners}
</tbody></table>
<h2>Recent activity</h2>
<form method="get"><label for="filter">Show</label> <select id="filter" name="filter">${options}</select> <button type="submit">Apply</button></form>
<p class="muted">Newest first; times in UTC; the last ${m.capacity} events are kept. Generated ${new Date(m.generatedAt).toISOString()}.</p>
<table id="activity"><thead><tr><th>Time (UTC)</th><th>Port</th><th>Remote</th><th>Outcome</th><th>Status</th><th>Duration</th><th>Details</th></tr></thead>
<tbody>
${rows}${empty}
</tbody></table>
</body></html>
`;
}

function row(x: ActivityEntry): string {
  const e = escapeHtml;
  const failed = matchesFilter(x, 'failed');
  const cls = failed ? 'failed' : x.outcome;
  const outcome = failed ? `&#x2717; ${e(x.outcome.replace('_', ' '))}` : e(x.outcome);
  const details =
    x.outcome === 'handshake_failure'
      ? `<strong>${e(x.classification ?? x.code ?? '')}</strong> <code>${e(x.code ?? '')}</code>${x.sni ? ` SNI <code>${e(x.sni)}</code>` : ''}${x.offeredVersions ? ` offered ${e(x.offeredVersions.join(', '))}` : ''}<div class="hint">${e(x.hint ?? '')}</div>`
      : `<code>${e(x.method ?? '')} ${e(x.path ?? '')}</code>${x.route ? ` &rarr; ${e(x.route)}` : ''}${x.errorCode ? ` <code>${e(x.errorCode)}</code>` : ''}`;
  return `<tr class="${cls}" data-id="${x.id}" data-outcome="${e(x.outcome)}"><td class="time">${e(x.time.replace('T', ' ').replace('Z', ''))}</td><td>${x.port}</td><td>${e(x.remote)}</td><td class="outcome">${outcome}</td><td class="status">${x.status ?? ''}</td><td>${x.durationMs === undefined ? '' : `${Math.round(x.durationMs)} ms`}</td><td>${details}</td></tr>`;
}
