import pc from 'picocolors';
import type { Reason } from './verdict.js';
import type { CheckReport } from './run-check.js';

type Colors = ReturnType<typeof pc.createColors>;

function outcomeText(c: Colors, outcome: string, detail: string | undefined): string {
  const word = outcome === 'accepted' ? c.green('accepted') : outcome === 'refused' ? c.red('refused') : c.yellow('not testable here');
  return detail ? `${word.padEnd(8 + (word.length - outcome.length))}  ${c.dim(detail)}` : word;
}

function reasonLines(c: Colors, mark: string, r: Reason): string[] {
  return [`  ${mark} ${r.message} ${c.dim(`[${r.code}]`)}`, ...(r.fix ? [`      fix: ${r.fix}`] : [])];
}

/** The report as a readable table; colour only when `color` is true (a TTY without NO_COLOR). */
export function renderTable(report: CheckReport, color: boolean): string {
  const c = pc.createColors(color);
  const out: string[] = [];
  out.push(c.bold(`tlsgate check ${report.url}`) + c.dim(`  (probed with ${report.openssl})`), '');
  out.push(c.bold('Protocols (each offered alone)'));
  for (const p of report.protocols) {
    const detail = p.outcome === 'accepted' ? p.cipher : p.error;
    out.push(`  ${p.version.padEnd(9)} ${outcomeText(c, p.outcome, detail)}`);
  }
  out.push('', c.bold("The sender's suites (each offered alone; TLS 1.3 suites under TLS 1.3)"));
  out.push(c.dim(`  ${'#'.padStart(3)}  ${'suite'.padEnd(24)} ${'tlsgate'.padEnd(10)} result`));
  for (const s of report.suites) {
    const detail = s.outcome === 'refused' ? undefined : s.outcome === 'not-testable' ? s.error : s.status === 'never' ? 'insecure: should be refused' : undefined;
    out.push(`  ${String(s.n).padStart(3)}  ${s.openssl.padEnd(24)} ${s.status.padEnd(10)} ${outcomeText(c, s.outcome, detail)}`);
  }
  out.push('', c.bold('Certificate chain (as served)'));
  const chain = report.chain;
  if (!chain) out.push('  (no certificate: no handshake succeeded)');
  else {
    chain.certificates.forEach((cert, i) => {
      const key = cert.keyBits !== undefined ? `${cert.keyType.toUpperCase()} ${cert.keyBits}` : `${cert.keyType.toUpperCase()} ${cert.curve ?? ''}`.trim();
      out.push(`  ${i + 1}. ${cert.subject}  ${c.dim('issued by')} ${cert.issuer}`);
      out.push(`     ${key}, ${cert.signature}, expires ${cert.notAfter.slice(0, 10)} (${cert.daysToExpiry} days)${cert.ca ? ', CA' : ''}${cert.selfSigned ? ', self-signed' : ''}`);
    });
    const yes = (b: boolean, label: string) => (b ? c.green(label) : c.red(label));
    const trust = chain.trusted ? `yes (${chain.trustedBy === 'ca-file' ? '--ca' : "Node's CA store"})` : 'no';
    out.push(`  complete: ${yes(chain.complete, chain.complete ? 'yes' : 'no')}   trusted: ${yes(chain.trusted, trust)}   names ${report.host}: ${yes(chain.hostnameMatch, chain.hostnameMatch ? 'yes' : 'no')}`);
  }
  out.push('', c.bold('Port'));
  out.push(`  ${report.port}: ${report.portAllowed === undefined ? c.yellow('not checked (--allow-any-port)') : report.portAllowed ? c.green("one the sender posts to") : c.red('not one the sender posts to')}`);
  if (report.post) {
    const p = report.post;
    out.push('', c.bold('Sample signed webhook (--post)'));
    out.push(`  ${p.status === undefined ? c.red(`not delivered: ${p.error ?? ''}`) : (p.ok ? c.green : c.red)(`HTTP ${p.status}`)}${p.protocol ? c.dim(`  over ${p.protocol} ${p.cipher ?? ''}`) : ''}  ${c.dim(`event ${p.eventId}`)}`);
  }
  out.push('');
  out.push(report.verdict === 'COMPATIBLE' ? c.bold(c.green('COMPATIBLE')) + ': the sender\'s handshake' + (report.post ? ' and post work' : ' will work') : c.bold(c.red('NOT COMPATIBLE')));
  for (const r of report.reasons) out.push(...reasonLines(c, c.red('✗'), r));
  if (report.warnings.length > 0) {
    out.push('', c.bold('Warnings'));
    for (const w of report.warnings) out.push(...reasonLines(c, c.yellow('!'), w));
  }
  out.push('', c.dim(`checked in ${(report.durationMs / 1000).toFixed(1)} s`));
  return out.join('\n') + '\n';
}
