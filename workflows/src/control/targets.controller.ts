import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Put,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { ControllerStatus, Decision, ScalingPolicy, ScalingTarget } from '@smartscale/contracts';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { WebhookUrlPolicy } from '../scalers/webhook-url';
import { TargetsService, isNotFound, TargetExistsError } from './targets.service';

const PauseBody = z
  .object({ reason: z.string().min(1).max(500).default('paused from the REST API'), forMs: z.number().int().positive().optional() })
  .strict();
const OverrideBody = z
  .object({ replicas: z.number().int().min(0), ttlMs: z.number().int().positive(), reason: z.string().min(1).max(500).optional() })
  .strict();

function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new BadRequestException({ message: `invalid ${what}`, issues: parsed.error.issues });
  return parsed.data;
}

/**
 * REST control surface: the same signals and queries as the Temporal CLI and Web UI. Access (Host, Origin,
 * bearer token) is ControlAccessGuard's, installed for the whole app.
 */
@ApiTags('targets')
@ApiBearerAuth()
@Controller('v1/targets')
export class TargetsController {
  private readonly webhookUrls: WebhookUrlPolicy;

  constructor(
    private readonly targets: TargetsService,
    @Inject(WORKER_CONFIG) config: WorkerConfig,
  ) {
    this.webhookUrls = new WebhookUrlPolicy(config.webhookAllowedNetworks);
  }

  @Get()
  @ApiOperation({ summary: 'Every target with its controller status' })
  async list(): Promise<(ControllerStatus & { workflowUrl: string })[]> {
    return Promise.all(this.targets.ids().map((id) => this.get(id)));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a target ({id, service, scaler, policy}) and start its controller workflow' })
  async create(@Body() body: unknown): Promise<ScalingTarget & { workflowUrl: string }> {
    // Where a webhook may point (SSRF) depends on this worker's configuration, so it is checked here and not
    // by the shared schema; the scaler checks again, after DNS, on every call.
    const scaler = (body as { scaler?: { kind?: unknown; url?: unknown } } | null)?.scaler;
    const problem = scaler?.kind === 'webhook' && typeof scaler.url === 'string' ? this.webhookUrls.urlProblem(scaler.url) : null;
    if (problem)
      throw new BadRequestException({
        message: `invalid target: webhook url refused: ${problem}`,
        issues: [{ path: ['scaler', 'url'], message: problem }],
      });
    try {
      const target = await this.targets.create(body);
      return { ...target, workflowUrl: this.targets.uiLink(target.id) };
    } catch (err) {
      if (err instanceof z.ZodError) throw new BadRequestException({ message: 'invalid target', issues: err.issues });
      if (err instanceof TargetExistsError) throw new ConflictException(err.message);
      throw err;
    }
  }

  @Delete(':id')
  @HttpCode(202)
  @ApiOperation({ summary: "End the target's controller workflow; replicas stay where they are" })
  async remove(@Param('id') id: string): Promise<{ removed: string }> {
    await this.notFound(() => this.targets.remove(id, 'removed through the control API'));
    return { removed: id };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<ControllerStatus & { workflowUrl: string }> {
    const status = await this.notFound(() => this.targets.status(id));
    return { ...status, workflowUrl: this.targets.uiLink(id) };
  }

  @Get(':id/decisions')
  decisions(@Param('id') id: string): Promise<Decision[]> {
    return this.notFound(() => this.targets.decisions(id));
  }

  @Post(':id/pause')
  @HttpCode(202)
  async pause(@Param('id') id: string, @Body() body: unknown): Promise<{ signalled: 'pause' }> {
    const { reason, forMs } = parseBody(PauseBody, body, 'pause body');
    await this.notFound(() => this.targets.pause(id, reason, forMs));
    return { signalled: 'pause' };
  }

  @Post(':id/override')
  @HttpCode(202)
  @ApiOperation({ summary: 'Hold a fixed replica count until ttlMs has passed (a durable timer in the workflow)' })
  async override(@Param('id') id: string, @Body() body: unknown): Promise<{ signalled: 'override' }> {
    const req = parseBody(OverrideBody, body, 'override body');
    await this.notFound(() => this.targets.override(id, req));
    return { signalled: 'override' };
  }

  @Delete(':id/override')
  @HttpCode(202)
  async clearOverride(@Param('id') id: string): Promise<{ signalled: 'clearOverride' }> {
    await this.notFound(() => this.targets.clearOverride(id));
    return { signalled: 'clearOverride' };
  }

  @Put(':id/policy')
  @ApiOperation({ summary: 'Change policy fields; validated here and by the workflow update validator' })
  async setPolicy(@Param('id') id: string, @Body() body: unknown): Promise<ScalingPolicy> {
    const changes = parseBody(z.record(z.string(), z.unknown()), body, 'policy');
    try {
      return await this.notFound(() => this.targets.setPolicy(id, changes));
    } catch (err) {
      if (err instanceof z.ZodError) throw new BadRequestException({ message: 'invalid policy', issues: err.issues });
      throw err;
    }
  }

  @Post(':id/resume')
  @HttpCode(202)
  async resume(@Param('id') id: string): Promise<{ signalled: 'resume' }> {
    await this.notFound(() => this.targets.resume(id));
    return { signalled: 'resume' };
  }

  private async notFound<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundException((err as Error).message);
      throw err;
    }
  }
}
