import { BadRequestException, Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { BatchMetric, WindowMetric } from '@smartscale/contracts';
import { MAX_LIMIT, StoredDecision, TimeRange } from '@smartscale/store';
import { HistoryService } from './history.service';

/** Epoch milliseconds or an ISO 8601 time. */
const instant = z.union([
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

const RangeQuery = z
  .object({ from: instant.optional(), to: instant.optional(), limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional() })
  .strict()
  .refine((r) => r.from === undefined || r.to === undefined || r.from < r.to, { message: '"from" must be before "to"' });

/** The time range of a query string; `own` names the route's other parameters. */
function rangeOf(query: unknown, own: string[] = []): TimeRange {
  const rest = Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter(([k]) => !own.includes(k)));
  const parsed = RangeQuery.safeParse(rest);
  if (!parsed.success) {
    throw new BadRequestException({
      message: 'invalid time range: from/to take epoch ms or ISO 8601, limit 1..' + MAX_LIMIT,
      issues: parsed.error.issues,
    });
  }
  return parsed.data;
}

const rangeDocs = [
  ApiQuery({ name: 'from', required: false, description: 'epoch ms or ISO 8601, inclusive' }),
  ApiQuery({ name: 'to', required: false, description: 'epoch ms or ISO 8601, exclusive' }),
  ApiQuery({ name: 'limit', required: false, description: `newest rows first, at most ${MAX_LIMIT} (default 500)` }),
];
const RangeDocs = (): MethodDecorator => (target, key, descriptor) => {
  for (const d of rangeDocs) d(target, key, descriptor);
};

/** The SQL history: every decision ever recorded and every window, beyond what a workflow keeps in memory. */
@ApiTags('history')
@Controller('v1')
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get('targets/:id/history')
  @ApiOperation({ summary: "A target's recorded decisions by time, newest first (survives continue-as-new and restarts)" })
  @RangeDocs()
  decisions(@Param('id') id: string, @Query() query: unknown): Promise<StoredDecision[]> {
    return this.history.decisions(id, rangeOf(query));
  }

  @Get('services/:service/windows')
  @ApiOperation({ summary: "A service's closed windows (events/s, error rate, latency percentiles, lag) by time, newest first" })
  @RangeDocs()
  windows(@Param('service') service: string, @Query() query: unknown): Promise<WindowMetric[]> {
    return this.history.windows(service, rangeOf(query));
  }

  @Get('batches')
  @ApiOperation({
    summary: "The aggregator processes' micro-batches (records, bytes, fetch wait, processing and commit time, lag, settings) by time",
  })
  @ApiQuery({ name: 'instance', required: false, description: 'one aggregator process; all when absent' })
  @RangeDocs()
  batches(@Query() query: Record<string, unknown> | undefined): Promise<BatchMetric[]> {
    const instance = typeof query?.instance === 'string' && query.instance.length > 0 ? query.instance : null;
    return this.history.batches(instance, rangeOf(query, ['instance']));
  }
}
