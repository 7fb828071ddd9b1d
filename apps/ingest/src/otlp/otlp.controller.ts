import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_KEY_HEADER } from '../events/api-keys';
import { admissionOf } from '../events/ingest-http';
import { OTLP_ANSWERED } from './otlp-http';
import { OTLP_JSON_TYPE, PROTOBUF_TYPE } from './otlp-paths';
import { encodingOf, exportResponse, Signal, statusResponse } from './otlp-responses';
import { OtlpFailure, OtlpService } from './otlp.service';

const DESCRIPTION =
  'OTLP/HTTP (OpenTelemetry protocol): binary protobuf or JSON, optional gzip; the response uses the request encoding. ' +
  '200 only after the broker stored every accepted item; partial_success counts the items not accepted, with the reasons. ' +
  '4xx/5xx bodies are google.rpc.Status. 429 and 503 carry Retry-After. Mapping: docs/otlp.md.';

@ApiTags('otlp')
@Controller()
export class OtlpController {
  constructor(private readonly otlp: OtlpService) {}

  @Post('v1/traces')
  @HttpCode(200)
  @ApiOperation({
    summary: 'OTLP/HTTP traces: SERVER and CONSUMER spans become request events of their service.name',
    description: DESCRIPTION,
  })
  @ApiConsumes(PROTOBUF_TYPE, OTLP_JSON_TYPE)
  @ApiHeader({ name: API_KEY_HEADER, required: false, description: 'API key (or Authorization: Bearer <key>)' })
  @ApiResponse({ status: 200, description: 'ExportTraceServiceResponse (partial_success set when spans were rejected)' })
  async traces(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer('traces', req, reply);
  }

  @Post('v1/metrics')
  @HttpCode(200)
  @ApiOperation({
    summary: 'OTLP/HTTP metrics: gauge, sum and histogram points become metric events of their service.name',
    description: DESCRIPTION,
  })
  @ApiConsumes(PROTOBUF_TYPE, OTLP_JSON_TYPE)
  @ApiHeader({ name: API_KEY_HEADER, required: false, description: 'API key (or Authorization: Bearer <key>)' })
  @ApiResponse({ status: 200, description: 'ExportMetricsServiceResponse (partial_success set when data points were rejected)' })
  async metrics(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer('metrics', req, reply);
  }

  private async answer(signal: Signal, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const encoding = encodingOf(req.headers['content-type']);
    // Marks the body as OTLP already; any other error (rethrown below) is turned into a Status by otlp-http.ts.
    const answered = (): void => void ((req as FastifyRequest & { [OTLP_ANSWERED]?: boolean })[OTLP_ANSWERED] = true);
    try {
      const outcome = await this.otlp.export(signal, req.body, encoding, req.headers, admissionOf(req)?.clientId);
      const { contentType, body } = exportResponse(signal, outcome.rejected, outcome.message, encoding);
      answered();
      await reply.code(200).header('content-type', contentType).header('cache-control', 'no-store').send(body);
    } catch (err) {
      if (!(err instanceof OtlpFailure)) throw err;
      const { contentType, body } = statusResponse(err.status, err.message, encoding);
      answered();
      if (err.retryAfterSeconds !== undefined) void reply.header('Retry-After', String(err.retryAfterSeconds));
      await reply.code(err.status).header('content-type', contentType).send(body);
    }
  }
}
