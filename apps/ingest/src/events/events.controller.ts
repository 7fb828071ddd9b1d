import {
  BadRequestException,
  Body,
  Controller,
  Header,
  HttpCode,
  HttpException,
  HttpStatus,
  Post,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { TelemetryEventSchema } from '@smartscale/contracts';
import { API_KEY_HEADER, ApiKeyGuard } from './api-key.guard';
import { JSON_TYPE, NDJSON_TYPE } from './body-parsers';
import { EventIssue, EventsService, InvalidEventsError, SinkUnavailableError } from './events.service';
import { admissionOf, RETRY_AFTER_SECONDS } from './ingest-http';
import { idSeedOf } from './event-ids';
import { ServiceCapError } from './service-cap';

const eventJsonSchema = z.toJSONSchema(TelemetryEventSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

export interface IngestResponse {
  accepted: number;
  ids: string[];
  /** Only with ?partial=true: the items not stored. */
  rejected?: EventIssue[];
}

@ApiTags('events')
@Controller('v1/events')
@UseGuards(ApiKeyGuard)
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  @HttpCode(202)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Ingest one event, a JSON array, or NDJSON (one event per line); 202 only after the broker stored every accepted event',
    description:
      'Content-Type application/json (an object or an array) or application/x-ndjson; optional Content-Encoding: gzip. ' +
      'By default a batch is all-or-nothing: one invalid item rejects the request with 400 listing every offending index. ' +
      'With ?partial=true the valid items are stored, and the 202 lists the rejected indexes and reasons under "rejected" ' +
      '("ids" then follows the order of the stored items); a batch with no valid item is still 400. ' +
      'Event times more than SMARTSCALE_MAX_FUTURE_SKEW_MS (2 min by default) ahead of the server clock, or older than the events topic retention, are rejected. ' +
      'An event without an id gets one derived from the API key, the body and its index, so a retry of the same body is counted once.',
  })
  @ApiConsumes(JSON_TYPE, NDJSON_TYPE)
  @ApiHeader({
    name: API_KEY_HEADER,
    required: false,
    description: 'API key (or Authorization: Bearer <key>); required when the server has keys configured',
  })
  @ApiHeader({ name: 'Content-Encoding', required: false, description: 'gzip, or absent' })
  @ApiQuery({
    name: 'partial',
    required: false,
    type: Boolean,
    description: 'Store the valid items of a mixed batch and report the others (default false: all-or-nothing)',
  })
  @ApiBody({ schema: { oneOf: [eventJsonSchema, { type: 'array', items: eventJsonSchema }] } as never })
  @ApiResponse({
    status: 202,
    description: 'Every accepted event is stored on the events topic (with ?partial=true, "rejected" lists the rest)',
  })
  @ApiResponse({ status: 400, description: 'Nothing stored; every offending index and reason listed' })
  @ApiResponse({ status: 401, description: 'No API key' })
  @ApiResponse({ status: 403, description: 'Unknown API key, or an event of a service the key does not cover' })
  @ApiResponse({ status: 413, description: 'Body (or gzip body once inflated) over the configured limit' })
  @ApiResponse({ status: 415, description: 'Content-Type other than JSON or NDJSON, or Content-Encoding other than gzip' })
  @ApiResponse({ status: 408, description: 'Headers or body not received within the server timeouts; the connection is closed' })
  @ApiResponse({
    status: 429,
    description:
      "Rate limit of the API key, its requests or bytes in flight, or its (or the server's) cap on distinct services exceeded; the message names which",
  })
  @ApiResponse({
    status: 503,
    description: 'Broker unavailable or ingest at its in-flight limit; nothing claimed as stored; retry after Retry-After',
  })
  async ingest(
    @Body() body: unknown,
    @Query('partial') partial: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IngestResponse> {
    try {
      const result = await this.events.ingest(body, {
        partial: partial === 'true' || partial === '1',
        idSeed: idSeedOf(req),
        clientId: admissionOf(req)?.clientId,
      });
      const ids = result.stored.map((e) => e.id);
      return result.issues.length > 0 ? { accepted: ids.length, ids, rejected: result.issues } : { accepted: ids.length, ids };
    } catch (err) {
      if (err instanceof InvalidEventsError) {
        throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: err.message, issues: err.issues });
      }
      if (err instanceof ServiceCapError) {
        void reply.header('Retry-After', String(err.retryAfterSeconds));
        throw new HttpException(
          {
            statusCode: 429,
            error: 'Too Many Requests',
            message: err.message,
            cap: err.cap,
            services: err.services,
            retryAfterSeconds: err.retryAfterSeconds,
          },
          HttpStatus.TOO_MANY_REQUESTS,
        );
      }
      if (err instanceof SinkUnavailableError) {
        void reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
        throw new ServiceUnavailableException({
          statusCode: 503,
          error: 'Service Unavailable',
          message: `broker unavailable: ${err.message}`,
          retryAfterSeconds: RETRY_AFTER_SECONDS,
        });
      }
      throw err;
    }
  }
}
