/**
 * The benchmark's load, in a worker thread so that producing 20k events/s does not delay the main
 * thread's reads (and so its latency figures). Events are stamped with the wall clock when sent: event
 * time = produce time, so a window's end plus grace is when its result could first be made.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Producer } from 'kafkajs';
import { createKafka } from '@smartscale/kafka';
import { dueBy, Phase, PhaseSpan } from './batching';

export interface LoadJob {
  brokers: string[];
  topic: string;
  run: string;
  partitions: number;
  services: number;
  phases: Phase[];
}

const TICK_MS = 20;
/** Sends in flight at most: enough for the spike on loopback, bounded so a slow broker slows the load instead of queueing it. */
const IN_FLIGHT = 4;

async function runPhase(producer: Producer, job: LoadJob, phase: Phase, next: { i: number }): Promise<PhaseSpan> {
  const start = Date.now();
  const inFlight: Promise<unknown>[] = [];
  let sent = 0;
  for (let now = start; now - start < phase.seconds * 1000; now = Date.now()) {
    const due = dueBy(phase.eventsPerSecond, now - start) - sent;
    if (due > 0) {
      const messages = [];
      for (let k = 0; k < due; k++, next.i++) {
        const s = next.i % job.services;
        const value = JSON.stringify({
          v: 1,
          id: `${job.run}-${next.i}`,
          service: `bench-${s}`,
          type: next.i % 50 === 0 ? 'error' : 'request',
          time: now,
          latencyMs: 5 + (next.i % 200),
        });
        messages.push({ partition: s % job.partitions, key: `bench-${s}`, value });
      }
      inFlight.push(producer.send({ topic: job.topic, acks: 1, messages }));
      sent += due;
      if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
    }
    await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - (Date.now() - now))));
  }
  await Promise.all(inFlight);
  return { ...phase, start, end: Date.now(), produced: sent };
}

async function main(job: LoadJob): Promise<void> {
  const producer = createKafka({ brokers: job.brokers, clientId: `bench-batching-load-${job.run}` }).producer({
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const next = { i: 0 };
  const spans: PhaseSpan[] = [];
  try {
    for (const phase of job.phases) {
      spans.push(await runPhase(producer, job, phase, next));
      parentPort?.postMessage({ kind: 'phase', span: spans.at(-1) });
    }
  } finally {
    await producer.disconnect();
  }
  parentPort?.postMessage({ kind: 'done', spans });
}

main(workerData as LoadJob).catch((err: unknown) =>
  parentPort?.postMessage({ kind: 'error', message: String((err as Error).stack ?? err) }),
);
