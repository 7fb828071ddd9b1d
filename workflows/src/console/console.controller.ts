import { BadRequestException, Controller, Get, MessageEvent, NotFoundException, Param, Query, Res, Sse } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Observable } from 'rxjs';
import { z } from 'zod';
import { ConsoleAssets } from './console-assets';
import { ConsoleService, UnknownConsoleTargetError } from './console.service';
import type { ChartData } from './console.types';

const HOUR_MS = 3_600_000;
const epochMs = z
  .string()
  .regex(/^\d{1,15}$/)
  .transform(Number);
const ChartQuery = z
  .object({ from: epochMs.optional(), to: epochMs.optional() })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { message: '"from" must be before "to"' });

// The page's scripts and styles are its own files; uPlot writes inline styles on its elements.
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** The live console: one HTML page and its assets, its event stream, and chart data per target. */
@ApiTags('console')
@Controller()
export class ConsoleController {
  private readonly assets = new ConsoleAssets();

  constructor(private readonly console: ConsoleService) {}

  @Get('console')
  @ApiExcludeEndpoint()
  page(@Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    return this.asset('index.html', reply);
  }

  @Get('console/:file')
  @ApiExcludeEndpoint()
  file(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    return this.asset(file, reply);
  }

  @Sse('v1/console/events')
  @ApiOperation({
    summary:
      'Server-sent events: a snapshot of every target and the backend health, then status, decision, window, forecast and health changes',
  })
  events(): Observable<MessageEvent> {
    return this.console.events();
  }

  @Get('v1/console/targets/:id/chart')
  @ApiOperation({ summary: "A target's chart series: windows and decisions from the SQL history, forecasts kept by this worker" })
  @ApiQuery({ name: 'from', required: false, description: 'epoch ms, default an hour before "to"' })
  @ApiQuery({ name: 'to', required: false, description: 'epoch ms, default now' })
  async chart(@Param('id') id: string, @Query() query: unknown): Promise<ChartData> {
    const parsed = ChartQuery.safeParse(query ?? {});
    if (!parsed.success) throw new BadRequestException({ message: 'invalid range: from/to take epoch ms', issues: parsed.error.issues });
    const to = parsed.data.to ?? Date.now();
    const from = parsed.data.from ?? to - HOUR_MS;
    try {
      return await this.console.chart(id, { from, to });
    } catch (err) {
      if (err instanceof UnknownConsoleTargetError) throw new NotFoundException(err.message);
      throw err;
    }
  }

  private async asset(name: string, reply: FastifyReply): Promise<Buffer> {
    const asset = await this.assets.get(name);
    if (!asset) throw new NotFoundException(`no console file "${name}"`);
    void reply.header('content-type', asset.type).header('content-security-policy', CSP).header('cache-control', 'no-cache');
    return asset.body;
  }
}
