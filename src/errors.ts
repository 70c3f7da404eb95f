/**
 * The one catalogue of tlsgate errors. Codes are stable: logs, metrics, tests and users
 * match on the code, never on the wording, so wording can improve without breaking anyone.
 */
export const ERROR_CATALOGUE = {
  TLSGATE_USAGE: 'Command-line usage is wrong',
  TLSGATE_CONFIG_NOT_FOUND: 'Config file cannot be read',
  TLSGATE_CONFIG_INVALID: 'Config file has problems',
  TLSGATE_CERT_UNREADABLE: 'Certificate or key file cannot be read',
  TLSGATE_CERT_NOT_PEM: 'File is not a PEM certificate',
  TLSGATE_KEY_NOT_PEM: 'File is not a PEM private key',
  TLSGATE_CERT_KEY_MISMATCH: 'Private key does not belong to the certificate',
  TLSGATE_CERT_KEY_TYPE: 'Certificate key type shares no cipher suite with the sender',
  TLSGATE_CERT_EXPIRED: 'Certificate has expired',
  TLSGATE_CERT_NOT_YET_VALID: 'Certificate is not valid yet',
  TLSGATE_CERT_GENERATE: 'Self-signed certificate could not be written',
  TLSGATE_CERT_CHAIN_ORDER: 'Certificate file does not start with the server certificate',
  TLSGATE_CERT_WEAK_SIGNATURE: 'A certificate in the chain is signed with SHA-1',
  TLSGATE_CERT_FILE_EXISTS: 'Refusing to overwrite an existing certificate or key file',
  TLSGATE_CHECK_UNREACHABLE: 'The URL being checked could not be reached',
  TLSGATE_CHECK_OPENSSL: 'The openssl command that check probes with is missing or failed',
  TLSGATE_LISTEN_FAILED: 'A listener could not bind its port',
  TLSGATE_ADMIN_LISTEN_FAILED: 'The admin server could not bind its address',
  TLSGATE_ADMIN_TOKEN: 'The admin token environment variable is unset or too short',
  TLSGATE_NO_ROUTE: 'No route matches the request',
  TLSGATE_UPSTREAM_REFUSED: 'Upstream refused or could not be reached',
  TLSGATE_UPSTREAM_TIMEOUT: 'Upstream did not answer in time',
  TLSGATE_UPSTREAM_RESET: 'Upstream closed the connection mid-exchange',
  TLSGATE_UPSTREAM_ERROR: 'Upstream exchange failed',
  TLSGATE_UPSTREAM_TLS_HANDSHAKE: 'Upstream TLS handshake failed (version or cipher mismatch)',
  TLSGATE_UPSTREAM_TLS_UNTRUSTED: 'Upstream certificate is not trusted',
  TLSGATE_UPSTREAM_TLS_HOSTNAME: 'Upstream certificate does not match its host name',
  TLSGATE_UPSTREAM_TLS_PIN: 'Upstream public key does not match the configured pin',
  TLSGATE_BODY_TOO_LARGE: 'Request body exceeds the route limit',
  TLSGATE_CLIENT_ABORTED: 'Sender closed the connection before the response',
  TLSGATE_RELOAD_NEEDS_RESTART: 'The change cannot be applied by a reload; restart tlsgate',
  TLSGATE_SECRET_MISSING: 'A route names a signing-secret environment variable that is not set',
  TLSGATE_SIGNATURE_MISSING: 'Request has no X-FS-Signature header on a signed route',
  TLSGATE_SIGNATURE_INVALID: 'X-FS-Signature does not match the body',
  TLSGATE_SOURCE_FORBIDDEN: 'Source address is not in the route allow-list',
  TLSGATE_METHOD_NOT_ALLOWED: 'HTTP method is not allowed on the route',
  TLSGATE_CONN_LIMIT: 'Connection refused: listener connection limit reached',
  TLSGATE_CONN_LIMIT_SOURCE: 'Connection refused: per-source-address connection limit reached',
  TLSGATE_HTTP_TIMEOUT: 'Request headers or body not received in time (headersTimeout / requestTimeout)',
  TLSGATE_HEADERS_TOO_LARGE: 'Request headers exceed maxHeaderBytes',
  TLSGATE_BAD_REQUEST: 'Malformed HTTP request',
  TLSGATE_PROXY_HEADER: 'PROXY protocol header missing or malformed on a trustProxy listener',
} as const;

/** A stable tlsgate error code. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error with a stable code, an optional actionable hint and structured details. */
export class TlsgateError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TlsgateError';
    this.code = code;
    this.hint = opts.hint;
    this.details = opts.details;
  }
}

/** One problem found in a config file, located by YAML path and, when known, line:column. */
export interface ConfigIssue {
  file: string;
  path: string;
  line?: number;
  col?: number;
  message: string;
  severity: 'error' | 'warning';
}

/** Formats one config issue as `file:line:col: path: message`, the form editors jump to. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.col ?? 1}`;
  const at = issue.path === '' ? '' : `${issue.path}: `;
  return `${where}: ${issue.severity}: ${at}${issue.message}`;
}

/** Raised when a config has one or more errors; carries every issue, not just the first. */
export class ConfigError extends TlsgateError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const errors = issues.filter((i) => i.severity === 'error');
    super('TLSGATE_CONFIG_INVALID', `config has ${errors.length} problem(s):\n` + errors.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** True when the value is a TlsgateError with the given code. */
export function hasCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof TlsgateError && err.code === code;
}
