/** Typed events that the request and handshake paths publish for logs, activity and metrics. */

/** One forwarded (or refused) HTTP request. */
export interface RequestEvent {
  type: 'request';
  time: number;
  port: number;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  method: string;
  path: string;
  route: string | undefined;
  upstream: string | undefined;
  status: number;
  /** processed: upstream answered 200/202; unprocessed: any other upstream status; failed: tlsgate answered itself. */
  outcome: 'processed' | 'unprocessed' | 'upstream_error' | 'refused' | 'aborted';
  errorCode: string | undefined;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  protocol: string | undefined;
  cipher: string | undefined;
}

/** One failed TLS handshake, with whatever diagnosis is available. */
export interface HandshakeFailureEvent {
  type: 'handshake_failure';
  time: number;
  port: number;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  /** The OpenSSL / Node error code, e.g. ERR_SSL_NO_SHARED_CIPHER. */
  code: string;
  reason: string;
  /** Extra diagnosis fields (SNI, offered suites, classification, hint…). */
  diagnosis: Record<string, unknown>;
}

/** Any event tlsgate publishes. */
export type GateEvent = RequestEvent | HandshakeFailureEvent;

/** Subscribers to gate events; a throwing subscriber never breaks the request path. */
export class EventHub {
  private readonly subs: ((e: GateEvent) => void)[] = [];
  /** Adds a subscriber and returns a function that removes it. */
  subscribe(fn: (e: GateEvent) => void): () => void {
    this.subs.push(fn);
    return () => {
      const i = this.subs.indexOf(fn);
      if (i >= 0) this.subs.splice(i, 1);
    };
  }
  /** Delivers an event to every subscriber. */
  publish(e: GateEvent): void {
    for (const fn of this.subs) {
      try {
        fn(e);
      } catch {
        // Observability must never take the request path down.
      }
    }
  }
}
