import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { runMain } from '@smartscale/ops';
import { AppModule } from './app.module';
import { loadAggregatorConfig } from './config/aggregator.config';

// One aggregator replica: a consumer-group member with no HTTP port, so N of them run side by side.
runMain(async () => {
  const config = loadAggregatorConfig();
  const app = await NestFactory.createApplicationContext(AppModule.forConfig(config), { logger: ['error', 'warn', 'log'] });
  app.enableShutdownHooks();
  Logger.log(`${config.kafka.clientId} consuming in group ${config.kafka.groupId}`, 'Aggregator');
});
