import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { ControllerStatus, Decision } from '@smartscale/contracts';
import { ControllersService, isNotFound } from './controllers.service';

const PauseBody = z.object({ reason: z.string().min(1).max(500).default('paused from the REST API') }).strict();

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
  async pause(@Param('id') id: string, @Body() body: unknown): Promise<{ signalled: 'pause' }> {
    const parsed = PauseBody.safeParse(body ?? {});
    if (!parsed.success) throw new BadRequestException({ message: 'invalid pause body', issues: parsed.error.issues });
    await this.notFound(() => this.controllers.pause(id, parsed.data.reason));
    return { signalled: 'pause' };
  }

  @Post(':id/resume')
  @HttpCode(202)
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
