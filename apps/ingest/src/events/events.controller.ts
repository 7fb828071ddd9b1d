import { BadRequestException, Body, Controller, Header, HttpCode, Post, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { TelemetryEventSchema } from '@smartscale/contracts';
import { EventsService, InvalidEventsError, SinkUnavailableError } from './events.service';

const eventJsonSchema = z.toJSONSchema(TelemetryEventSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

/** Seconds a client should wait before retrying when the broker is unavailable. */
const RETRY_AFTER_SECONDS = '2';

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  @HttpCode(202)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Ingest one event or a JSON array of events; 202 only after the broker stored all of them' })
  @ApiBody({ schema: { oneOf: [eventJsonSchema, { type: 'array', items: eventJsonSchema }] } as never })
  @ApiResponse({ status: 202, description: 'Every event is stored on the events topic' })
  @ApiResponse({ status: 400, description: 'Nothing stored; every offending index and reason listed' })
  @ApiResponse({ status: 503, description: 'Broker unavailable; nothing claimed as stored; retry after Retry-After' })
  async ingest(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ accepted: number; ids: string[] }> {
    try {
      const stored = await this.events.ingest(body);
      return { accepted: stored.length, ids: stored.map((e) => e.id) };
    } catch (err) {
      if (err instanceof InvalidEventsError) {
        throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: err.message, issues: err.issues });
      }
      if (err instanceof SinkUnavailableError) {
        void reply.header('Retry-After', RETRY_AFTER_SECONDS);
        throw new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', message: `broker unavailable: ${err.message}`, retryAfterSeconds: Number(RETRY_AFTER_SECONDS) });
      }
      throw err;
    }
  }
}
