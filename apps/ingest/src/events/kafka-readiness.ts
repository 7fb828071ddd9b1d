import { Inject, Injectable } from '@nestjs/common';
import type { ReadinessCheck } from '@smartscale/ops';
import { EVENT_SINK, EventSink } from './event-sink.adapter';

@Injectable()
export class BrokerReadiness implements ReadinessCheck {
  readonly name = 'broker';
  constructor(@Inject(EVENT_SINK) private readonly sink: EventSink) {}
  check(): Promise<boolean> {
    return this.sink.ready();
  }
}
