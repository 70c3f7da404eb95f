import { ConfigError, formatIssue, TlsgateError } from '../errors.js';

/** Human-readable text for an error: code, message, every config issue and the hint. */
export function errorText(err: unknown): string {
  if (err instanceof ConfigError) {
    return `tlsgate: ${err.code}: config has problems:\n` + err.issues.map((i) => '  ' + formatIssue(i)).join('\n') + '\n';
  }
  if (err instanceof TlsgateError) {
    return `tlsgate: ${err.code}: ${err.message}\n` + (err.hint ? `  fix: ${err.hint}\n` : '');
  }
  return `tlsgate: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`;
}

/** Structured fields for logging an error as JSON. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof ConfigError) return { code: err.code, issues: err.issues };
  if (err instanceof TlsgateError) return { code: err.code, error: err.message, hint: err.hint };
  return { code: 'UNEXPECTED', error: (err as Error)?.message ?? String(err) };
}
