import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Forecast } from '@smartscale/contracts';
import { PREDICTOR_CONFIG, PredictorConfig } from '../config/predictor.config';
import { ModelsService } from './models.service';

@ApiTags('forecast')
@Controller('v1')
export class ForecastController {
  constructor(
    private readonly models: ModelsService,
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
  ) {}

  @Get('forecast/:service')
  @ApiOperation({ summary: 'Events/s forecast for the next `horizon` windows, with a prediction interval' })
  forecast(@Param('service') service: string, @Query('horizon') horizon?: string): Forecast {
    const h = horizon === undefined ? 1 : Number(horizon);
    if (!Number.isInteger(h) || h < 1 || h > this.config.maxHorizon) {
      throw new BadRequestException(`horizon must be an integer from 1 to ${this.config.maxHorizon}, got "${horizon}"`);
    }
    const forecast = this.models.forecast(service, h, Date.now());
    if (!forecast) throw new NotFoundException(`no windows observed yet for service "${service}"`);
    return forecast;
  }

  @Get('services')
  @ApiOperation({ summary: 'Services the predictor has models for' })
  services(): { services: string[] } {
    return { services: this.models.services() };
  }
}
