import { BadRequestException, Body, ConflictException, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { ControllerStatus, Decision, ScalingPolicy, ScalingTarget } from '@smartscale/contracts';
import { BearerTokenGuard } from './bearer-token.guard';
import { ControllersService, isNotFound, TargetExistsError } from './controllers.service';

const PauseBody = z.object({ reason: z.string().min(1).max(500).default('paused from the REST API'), forMs: z.number().int().positive().optional() }).strict();
const OverrideBody = z.object({ replicas: z.number().int().min(0), ttlMs: z.number().int().positive(), reason: z.string().min(1).max(500).optional() }).strict();

function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new BadRequestException({ message: `invalid ${what}`, issues: parsed.error.issues });
  return parsed.data;
}

/** REST control surface: the same signals and queries as the Temporal CLI and Web UI. */
@ApiTags('targets')
@Controller('v1/targets')
export class TargetsController {
  constructor(private readonly controllers: ControllersService) {}

  @Get()
  @ApiOperation({ summary: 'Every target with its controller status' })
  async list(): Promise<(ControllerStatus & { workflowUrl: string })[]> {
    return Promise.all(this.controllers.ids().map((id) => this.get(id)));
  }

  @Post()
  @HttpCode(201)
  @UseGuards(BearerTokenGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Add a target ({id, service, scaler, policy}) and start its controller workflow' })
  async create(@Body() body: unknown): Promise<ScalingTarget & { workflowUrl: string }> {
    try {
      const target = await this.controllers.create(body);
      return { ...target, workflowUrl: this.controllers.uiLink(target.id) };
    } catch (err) {
      if (err instanceof z.ZodError) throw new BadRequestException({ message: 'invalid target', issues: err.issues });
      if (err instanceof TargetExistsError) throw new ConflictException(err.message);
      throw err;
    }
  }

  @Delete(':id')
  @HttpCode(202)
  @UseGuards(BearerTokenGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: "End the target's controller workflow; replicas stay where they are" })
  async remove(@Param('id') id: string): Promise<{ removed: string }> {
    await this.notFound(() => this.controllers.remove(id, 'removed through the control API'));
    return { removed: id };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<ControllerStatus & { workflowUrl: string }> {
    const status = await this.notFound(() => this.controllers.status(id));
    return { ...status, workflowUrl: this.controllers.uiLink(id) };
  }

  @Get(':id/decisions')
  decisions(@Param('id') id: string): Promise<Decision[]> {
    return this.notFound(() => this.controllers.decisions(id));
  }

  @Post(':id/pause')
  @HttpCode(202)
  @UseGuards(BearerTokenGuard)
  @ApiBearerAuth()
  async pause(@Param('id') id: string, @Body() body: unknown): Promise<{ signalled: 'pause' }> {
    const { reason, forMs } = parseBody(PauseBody, body, 'pause body');
    await this.notFound(() => this.controllers.pause(id, reason, forMs));
    return { signalled: 'pause' };
  }

  @Post(':id/override')
  @HttpCode(202)
  @UseGuards(BearerTokenGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Hold a fixed replica count until ttlMs has passed (a durable timer in the workflow)' })
  async override(@Param('id') id: string, @Body() body: unknown): Promise<{ signalled: 'override' }> {
    const req = parseBody(OverrideBody, body, 'override body');
    await this.notFound(() => this.controllers.override(id, req));
    return { signalled: 'override' };
  }

  @Delete(':id/override')
  @HttpCode(202)
  @UseGuards(BearerTokenGuard)
  @ApiBearerAuth()
  async clearOverride(@Param('id') id: string): Promise<{ signalled: 'clearOverride' }> {
    await this.notFound(() => this.controllers.clearOverride(id));
    return { signalled: 'clearOverride' };
  }

  @Put(':id/policy')
  @UseGuards(BearerTokenGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change policy fields; validated here and by the workflow update validator' })
  async setPolicy(@Param('id') id: string, @Body() body: unknown): Promise<ScalingPolicy> {
    const changes = parseBody(z.record(z.string(), z.unknown()), body, 'policy');
    try {
      return await this.notFound(() => this.controllers.setPolicy(id, changes));
    } catch (err) {
      if (err instanceof z.ZodError) throw new BadRequestException({ message: 'invalid policy', issues: err.issues });
      throw err;
    }
  }

  @Post(':id/resume')
  @HttpCode(202)
  @UseGuards(BearerTokenGuard)
  @ApiBearerAuth()
  async resume(@Param('id') id: string): Promise<{ signalled: 'resume' }> {
    await this.notFound(() => this.controllers.resume(id));
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
