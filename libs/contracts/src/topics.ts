/** Kafka topics. Every producer and consumer imports these; a name is never retyped. */
export const TOPICS = {
  events: 'smartscale.events.v1',
  metrics: 'smartscale.metrics.v1',
  forecasts: 'smartscale.forecasts.v1',
  anomalies: 'smartscale.anomalies.v1',
  decisions: 'smartscale.decisions.v1',
  deadLetter: 'smartscale.deadletter.v1',
  /** Per micro-batch figures of the aggregator processes (BatchMetric), for the SQL history. */
  batches: 'smartscale.batches.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Partition counts: events are the hot topic and bound how many aggregator replicas can share the work. */
export const TOPIC_PARTITIONS: Record<TopicName, number> = {
  [TOPICS.events]: 6,
  [TOPICS.metrics]: 3,
  [TOPICS.forecasts]: 3,
  [TOPICS.anomalies]: 3,
  [TOPICS.decisions]: 1,
  [TOPICS.deadLetter]: 1,
  [TOPICS.batches]: 1,
};

/** Consumer groups, one per role. Replicas of a role share its group. */
export const CONSUMER_GROUPS = {
  aggregator: 'smartscale-aggregator',
  predictor: 'smartscale-predictor',
  controller: 'smartscale-controller',
} as const;
