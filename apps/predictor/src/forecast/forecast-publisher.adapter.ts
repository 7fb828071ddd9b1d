import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, Producer } from 'kafkajs';
import { Forecast, TOPICS } from '@smartscale/contracts';
import { createIdempotentProducer, InjectKafka } from '@smartscale/kafka';

/**
 * Anomaly score of one observed window, published to `TOPICS.anomalies` keyed by service.
 * TODO(contracts): belongs in libs/contracts beside `Forecast`, with a zod schema for consumers.
 */
export interface AnomalyScore {
  v: 1;
  service: string;
  windowEnd: number;
  /** the observed value that was scored */
  eventsPerSecond: number;
  /** in [0, 1]; 1 is the most anomalous */
  score: number;
  generatedAt: number;
}

/** What the predictor publishes after each observed window of a service. */
export interface Publication {
  forecast: Forecast;
  anomaly: AnomalyScore;
}

/** Where forecasts and anomaly scores go. publish() resolves once both are durably stored. */
export interface ForecastPublisher {
  publish(publication: Publication): Promise<void>;
}
export const FORECAST_PUBLISHER = Symbol('FORECAST_PUBLISHER');

@Injectable()
export class KafkaForecastPublisher implements ForecastPublisher, OnApplicationShutdown {
  private readonly producer: Producer;
  private connecting: Promise<void> | null = null;

  constructor(@InjectKafka() kafka: Kafka) {
    this.producer = createIdempotentProducer(kafka);
  }

  async publish({ forecast, anomaly }: Publication): Promise<void> {
    await this.connect();
    // One request for both topics; key = service keeps each service's messages in order on one partition.
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [
        { topic: TOPICS.forecasts, messages: [{ key: forecast.service, value: JSON.stringify(forecast) }] },
        { topic: TOPICS.anomalies, messages: [{ key: anomaly.service, value: JSON.stringify(anomaly) }] },
      ],
    });
  }

  /** Runs after the metrics consumer has stopped (it disconnects in beforeApplicationShutdown). */
  async onApplicationShutdown(): Promise<void> {
    if (this.connecting) await this.producer.disconnect();
  }

  private connect(): Promise<void> {
    // One connect shared by concurrent sends; reset on failure so the next send retries.
    this.connecting ??= this.producer.connect().catch((err: unknown) => {
      this.connecting = null;
      throw err;
    });
    return this.connecting;
  }
}
