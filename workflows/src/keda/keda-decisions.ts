import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';

/** A replica count SmartScale chose for a `keda` target, and when this worker published it. */
export interface PublishedCount {
  replicas: number;
  at: number;
}

/**
 * Where a `keda` target's apply lands in this worker: the external scaler's stream listens here, so a
 * decision reaches KEDA as soon as the apply activity runs, not at KEDA's next poll. It is a cache of the
 * controller's decision, never the source of truth: the workflow's status is (other worker replicas may
 * have applied a later one), and the gRPC service compares both by time.
 */
@Injectable()
export class KedaDecisions {
  private readonly latest = new Map<string, PublishedCount>();
  private readonly events = new EventEmitter().setMaxListeners(0);

  publish(targetId: string, replicas: number, at = Date.now()): PublishedCount {
    const published = { replicas, at };
    this.latest.set(targetId, published);
    this.events.emit(targetId, published);
    return published;
  }

  get(targetId: string): PublishedCount | null {
    return this.latest.get(targetId) ?? null;
  }

  /** Calls fn for every later publish for the target; returns the unsubscribe function. */
  subscribe(targetId: string, fn: (published: PublishedCount) => void): () => void {
    this.events.on(targetId, fn);
    return () => this.events.off(targetId, fn);
  }
}
