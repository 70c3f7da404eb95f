/** The validated, frozen shape of a tlsgate config, with its defaults. */

/** One TLS listener. */
export interface ListenerConfig {
  readonly port: number;
  readonly host: string;
  /** Absolute path of the PEM certificate chain: leaf first, then intermediates. */
  readonly cert: string;
  /** Absolute path of the PEM private key. */
  readonly key: string;
  readonly profile: string;
  readonly allowAnyPort: boolean;
  /** Write a self-signed certificate when both cert and key files are missing. */
  readonly generateCert: boolean;
  readonly handshakeTimeoutMs: number;
  /** Read a PROXY v1/v2 header before TLS and use its source address (only behind a load balancer). */
  readonly trustProxy: boolean;
  readonly limits: ListenerLimits;
}

/** Per-listener connection and HTTP limits (see validate-security.ts for the defaults' reasons). */
export interface ListenerLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerSource: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxHeaderBytes: number;
}

/** Route-level check of the sender's X-FS-Signature; the secret itself comes from the environment. */
export interface RouteVerify {
  readonly fastspringSignature: { readonly secretEnv: string };
}

/** TLS settings towards a legacy HTTPS upstream. */
export interface UpstreamTlsConfig {
  readonly minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly ciphers: string;
  readonly servername: string | undefined;
  /** Absolute path of a PEM CA (or self-signed certificate) to trust. */
  readonly ca: string | undefined;
  /** `sha256/` + base64 SHA-256 of the upstream's SubjectPublicKeyInfo. */
  readonly pin: string | undefined;
  readonly verify: boolean;
}

/** Where and how a route forwards. */
export interface UpstreamConfig {
  readonly url: string;
  readonly timeoutMs: number;
  readonly hostHeader: string | undefined;
  /** Read the whole body first and send it with Content-Length (HTTP/1.0 backends). */
  readonly bufferBody: boolean;
  readonly tls: UpstreamTlsConfig;
}

/** One route: first match wins. */
export interface RouteConfig {
  readonly name: string;
  readonly path: string;
  /** Lower-case host name matched against SNI / Host header; undefined matches any. */
  readonly host: string | undefined;
  readonly upstream: UpstreamConfig;
  readonly maxBodyBytes: number;
  /** Source CIDRs allowed on this route; undefined allows every address. */
  readonly allow: readonly string[] | undefined;
  /** Upper-case HTTP methods forwarded; others get 405. */
  readonly methods: readonly string[];
  readonly verify: RouteVerify | undefined;
}

/** Logging settings. */
export interface LogConfig {
  readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** The admin HTTP server (/healthz, /readyz, /activity, /metrics, the HTML page). */
export interface AdminConfig {
  readonly host: string;
  readonly port: number;
  /** Name of the environment variable holding the bearer token; the token is never in YAML. */
  readonly tokenEnv: string | undefined;
}

/** Recent-activity settings. */
export interface ActivityConfig {
  /** Entries kept in the ring buffer. */
  readonly size: number;
}

/** The whole config. */
export interface Config {
  /** Absolute path of the file it was loaded from. */
  readonly source: string;
  readonly listeners: readonly ListenerConfig[];
  readonly routes: readonly RouteConfig[];
  readonly log: LogConfig;
  /** Absent: no admin server is started. */
  readonly admin?: AdminConfig;
  readonly activity?: ActivityConfig;
  /** Worker processes sharing the listeners: a count, or 'auto' for one per CPU core. */
  readonly workers: number | 'auto';
}

/** Defaults, in one place so docs and code agree. */
export const DEFAULTS = Object.freeze({
  host: '0.0.0.0',
  profile: 'fastspring',
  handshakeTimeoutMs: 10_000,
  upstreamTimeoutMs: 30_000,
  maxBodyBytes: 1024 * 1024,
  maxConnections: 1000,
  maxConnectionsPerSource: 100,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 65_000,
  maxHeaderBytes: 16 * 1024,
  /** Routes with `verify` accept only what the sender sends; others also let GET/HEAD health checks through. */
  methodsSigned: ['POST'] as readonly string[],
  methods: ['GET', 'HEAD', 'POST'] as readonly string[],
  upstreamMinVersion: 'TLSv1' as const,
  /** Reaches old servers (TLS 1.0, SHA-1 signatures, 1024-bit keys); only towards upstreams. */
  upstreamCiphers: 'DEFAULT:@SECLEVEL=0',
  logLevel: 'info' as const,
  /** Recent activity entries kept (handshake failures and requests). */
  activitySize: 250,
  /** One process: the simplest to run and debug; raise it when one core is not enough. */
  workers: 1,
});

/** Upper bound for `workers`: more processes than this only cost memory. */
export const MAX_WORKERS = 64;

/** Log levels accepted in `log.level`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
