/** Turns the benchmark's per-round samples into medians, a Markdown report and a PNG chart. */
import fs from 'node:fs';

/** Median of a list of numbers (NaN for an empty list). */
export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The reported metrics: label, unit, whether higher is better, and the target (a
 * predicate on tlsgate's median and nginx's median, with its wording).
 */
export const METRICS = [
  { key: 'hsRsa', label: '1. Full handshakes/s, RSA (AES128-SHA256)', unit: 'req/s', higher: true, target: { text: '≥ nginx', ok: (t, n) => t >= n } },
  { key: 'hsDhe', label: '2. Full handshakes/s, DHE (DHE-RSA-AES128-SHA256)', unit: 'req/s', higher: true, target: { text: '≥ nginx', ok: (t, n) => t >= n } },
  { key: 'kaRps', label: '3. Keep-alive POST 2 KiB JSON', unit: 'req/s', higher: true, target: { text: '≥ 0.5 × nginx', ok: (t, n) => t >= 0.5 * n } },
  { key: 'addP50', label: '4. Added latency p50 (fixed low rate)', unit: 'ms', higher: false, target: { text: '< 1 ms', ok: (t) => t < 1 } },
  { key: 'addP99', label: '4. Added latency p99 (fixed low rate)', unit: 'ms', higher: false, target: { text: '< 5 ms', ok: (t) => t < 5 } },
  { key: 'rssIdle', label: '5. RSS idle, all processes', unit: 'MB', higher: false },
  { key: 'rssHeld', label: '5. RSS with 1,000 keep-alive conns, all processes', unit: 'MB', higher: false },
  { key: 'rssHeldMax', label: '5. RSS with 1,000 conns, largest process (per worker)', unit: 'MB', higher: false, target: { text: '< 100 MB', ok: (t) => t < 100 } },
  { key: 'startupMs', label: '5. Start-up (spawn → first 200 through it)', unit: 'ms', higher: false, target: { text: '< 500 ms', ok: (t) => t < 500 } },
];

const NAMES = ['tlsgate', 'nginx', 'haproxy'];

function fmt(x, unit) {
  if (!Number.isFinite(x)) return 'n/a';
  if (unit === 'ms') return x < 10 ? x.toFixed(2) : x.toFixed(0);
  if (unit === 'MB') return x.toFixed(1);
  return Math.round(x).toLocaleString('en-US');
}

function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? (a / b).toFixed(2) : 'n/a';
}

/** Medians per target and metric. */
export function summarize(samples) {
  const out = {};
  for (const n of Object.keys(samples)) {
    out[n] = {};
    for (const k of Object.keys(samples[n] ?? {})) out[n][k] = median(samples[n][k]);
  }
  return out;
}

/** The results table in Markdown (also quoted by the README). */
export function markdownTable(med) {
  const rows = ['| Case | tlsgate | nginx | HAProxy | tlsgate / nginx | tlsgate / HAProxy | Target | Met |', '|---|---:|---:|---:|---:|---:|---|---|'];
  for (const m of METRICS) {
    const [t, n, h] = NAMES.map((x) => med[x]?.[m.key]);
    const met = m.target ? (Number.isFinite(t) && m.target.ok(t, n) ? 'yes' : '**no**') : '';
    rows.push(`| ${m.label} (${m.unit}) | ${fmt(t, m.unit)} | ${fmt(n, m.unit)} | ${fmt(h, m.unit)} | ${ratio(t, n)} | ${ratio(t, h)} | ${m.target?.text ?? ''} | ${met} |`);
  }
  return rows.join('\n');
}

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** An SVG bar chart of tlsgate's throughput ratios against nginx and HAProxy (1.0 = parity). */
export function ratiosSvg(med, subtitle) {
  const cases = METRICS.filter((m) => m.higher);
  const W = 820;
  const H = 420;
  const left = 70;
  const bottom = 340;
  const top = 70;
  const ratios = cases.flatMap((m) => ['nginx', 'haproxy'].map((o) => med.tlsgate?.[m.key] / med[o]?.[m.key]));
  const maxR = Math.max(1.2, ...ratios.filter(Number.isFinite)) * 1.1;
  const y = (r) => bottom - (r / maxR) * (bottom - top);
  const groupW = (W - left - 30) / cases.length;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="28" text-anchor="middle" font-size="18" font-weight="bold">tlsgate throughput relative to nginx and HAProxy (1.0 = parity)</text>`,
    `<text x="${W / 2}" y="50" text-anchor="middle" font-size="12" fill="#444">${esc(subtitle)}</text>`,
  ];
  for (let r = 0; r <= maxR; r += maxR > 3 ? 1 : 0.25) {
    parts.push(`<line x1="${left}" x2="${W - 30}" y1="${y(r)}" y2="${y(r)}" stroke="#ddd"/><text x="${left - 8}" y="${y(r) + 4}" text-anchor="end" font-size="11">${r.toFixed(2)}</text>`);
  }
  parts.push(`<line x1="${left}" x2="${W - 30}" y1="${y(1)}" y2="${y(1)}" stroke="#000" stroke-dasharray="6 4"/>`);
  cases.forEach((m, i) => {
    const gx = left + i * groupW;
    const bw = groupW * 0.3;
    ['nginx', 'haproxy'].forEach((o, j) => {
      const r = med.tlsgate?.[m.key] / med[o]?.[m.key];
      if (!Number.isFinite(r)) return;
      const x = gx + groupW * 0.18 + j * (bw + 8);
      parts.push(`<rect x="${x}" y="${y(r)}" width="${bw}" height="${bottom - y(r)}" fill="${j ? '#e07b39' : '#3a7dc9'}"/>`);
      parts.push(`<text x="${x + bw / 2}" y="${y(r) - 5}" text-anchor="middle" font-size="12">${r.toFixed(2)}</text>`);
    });
    if (m.key === 'kaRps') parts.push(`<line x1="${gx + 10}" x2="${gx + groupW - 10}" y1="${y(0.5)}" y2="${y(0.5)}" stroke="#c00" stroke-dasharray="3 3"/><text x="${gx + groupW - 10}" y="${y(0.5) - 4}" text-anchor="end" font-size="10" fill="#c00">target 0.5 × nginx</text>`);
    const words = m.label.replace(/^\d\. /, '').split(/ (?=\()/);
    words.forEach((w, k) => parts.push(`<text x="${gx + groupW / 2}" y="${bottom + 20 + k * 15}" text-anchor="middle" font-size="12">${esc(w)}</text>`));
  });
  parts.push(`<rect x="${left}" y="${H - 35}" width="14" height="14" fill="#3a7dc9"/><text x="${left + 20}" y="${H - 23}" font-size="12">tlsgate / nginx</text>`);
  parts.push(`<rect x="${left + 160}" y="${H - 35}" width="14" height="14" fill="#e07b39"/><text x="${left + 180}" y="${H - 23}" font-size="12">tlsgate / HAProxy</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** Renders the SVG to PNG with resvg (a prebuilt binary inside the npm package: no browser). */
export async function writePng(svg, file) {
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  fs.writeFileSync(file, png);
}
