import { Inject, Injectable } from '@nestjs/common';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';
import { IngestMetrics } from './ingest-metrics';

/** What one client (an API key, or an address when auth is off) holds right now. */
interface ClientLoad {
  requests: number;
  bytes: number;
}

/** One admitted request's share of the budget; released exactly once. */
export class Admission {
  bytes = 0;
  released = false;
  constructor(
    /** Whose share this is: the API key, or the address when auth is off. */
    readonly clientId: string,
    /** The API key id ("anonymous" when auth is off). */
    readonly keyId: string,
    readonly load: ClientLoad,
  ) {}
}

/** Why a charge was refused: the whole server is full (503), or this client holds its share (429). */
export type ChargeRefusal = 'overloaded' | 'client_overloaded';

/**
 * Bounds the request bytes held between arrival and the broker's answer, for the server and per client.
 * Bytes are charged as they actually arrive (and again once inflated from gzip), never reserved from a
 * declared Content-Length: a client that announces 5 MiB and stalls holds nothing, so a handful of idle
 * sockets cannot close the API to everyone (issue 18). When the broker is slow or down, requests pile
 * up here; past the bound the API answers 503 rather than buffering without limit. A request is always
 * admitted when it is the only one holding bytes, so one body at the size limit is never refused forever.
 */
@Injectable()
export class InflightBudget {
  private bytes = 0;
  private readonly max: number;
  private readonly maxPerClient: number;
  private readonly maxRequestsPerClient: number;
  /** Only clients with something in flight: entries go when their last request ends. */
  private readonly clients = new Map<string, ClientLoad>();

  constructor(
    @Inject(INGEST_CONFIG) config: IngestConfig,
    private readonly metrics: IngestMetrics,
  ) {
    this.max = config.http.maxInflightBytes;
    this.maxPerClient = config.http.perClient.maxInflightBytes;
    this.maxRequestsPerClient = config.http.perClient.maxInflightRequests;
  }

  /** A slot for one more request of this client, or null when it already has its most in flight. */
  admit(clientId: string, keyId: string = clientId): Admission | null {
    let load = this.clients.get(clientId);
    if (load === undefined) {
      load = { requests: 0, bytes: 0 };
      this.clients.set(clientId, load);
    }
    if (load.requests >= this.maxRequestsPerClient) return null;
    load.requests += 1;
    return new Admission(clientId, keyId, load);
  }

  /** Would `bytes` more (announced, not yet arrived) be refused now? A cheap early 503 before reading. */
  wouldRefuse(admission: Admission, bytes: number): ChargeRefusal | null {
    if (this.bytes > admission.bytes && this.bytes + bytes > this.max) return 'overloaded';
    if (admission.load.bytes > admission.bytes && admission.load.bytes + bytes > this.maxPerClient) return 'client_overloaded';
    return null;
  }

  /** Charges bytes that arrived (or were inflated); null when taken, else why not (nothing charged). */
  charge(admission: Admission, bytes: number): ChargeRefusal | null {
    if (admission.released) return null;
    const refusal = this.wouldRefuse(admission, bytes);
    if (refusal) return refusal;
    this.bytes += bytes;
    admission.bytes += bytes;
    admission.load.bytes += bytes;
    this.metrics.inflightBytes.set(this.bytes);
    return null;
  }

  release(admission: Admission): void {
    if (admission.released) return;
    admission.released = true;
    this.bytes = Math.max(0, this.bytes - admission.bytes);
    admission.load.bytes -= admission.bytes;
    admission.load.requests -= 1;
    if (admission.load.requests === 0) this.clients.delete(admission.clientId);
    this.metrics.inflightBytes.set(this.bytes);
  }

  get inflight(): number {
    return this.bytes;
  }

  /** Clients with a request in flight (bounded by open connections, since each holds one). */
  get clientsInFlight(): number {
    return this.clients.size;
  }
}
