import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createHttpApp, runMain } from '@smartscale/ops';
import { AppModule } from './app.module';
import { loadAggregatorConfig } from './config/aggregator.config';

// One aggregator replica: a consumer-group member, so N of them run side by side. With no port (the
// local scaler's replicas) it has no HTTP server; with one (a container, a pod) it serves /health and /metrics.
runMain(async () => {
  const config = loadAggregatorConfig();
  if (config.http) {
    const app = await createHttpApp(AppModule.forConfig(config), { title: 'SmartScale aggregator', description: 'Health and Prometheus metrics of one aggregator replica.' });
    await app.listen(config.http.port, config.http.host);
    Logger.log(`/health and /metrics on http://${config.http.host}:${config.http.port}`, 'Aggregator');
  } else {
    const app = await NestFactory.createApplicationContext(AppModule.forConfig(config), { logger: ['error', 'warn', 'log'] });
    app.enableShutdownHooks();
  }
  Logger.log(`${config.kafka.clientId} consuming in group ${config.kafka.groupId}`, 'Aggregator');
});
