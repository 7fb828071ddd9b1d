import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CustomStrategy } from '@nestjs/microservices';
import { createKafka } from '@smartscale/kafka';
import { createHttpApp, runMain } from '@smartscale/ops';
import { AppModule } from './app.module';
import { loadAggregatorConfig } from './config/aggregator.config';
import { buildEventsBatchServer } from './windows/events-batch.server';

// One aggregator replica: a consumer-group member, so N of them run side by side, as a Nest microservice
// whose transport is the events consumer (EventsBatchServer). With no port (the local scaler's replicas)
// it is only that; with one (a container, a pod) it also serves /health and /metrics.
runMain(async () => {
  const config = loadAggregatorConfig();
  // One kafkajs client for the process: the transport needs it before the app exists, the app shares it.
  const kafka = createKafka(config.kafka);
  const transport: CustomStrategy = { strategy: buildEventsBatchServer(config, kafka) };
  if (config.http) {
    const app = await createHttpApp(AppModule.forConfig(config, kafka), {
      title: 'SmartScale aggregator',
      description: 'Health and Prometheus metrics of one aggregator replica.',
    });
    app.connectMicroservice(transport);
    // Bootstrap hooks (topics, admin client) before the transport consumes: startAllMicroservices does not run them.
    await app.init();
    await app.startAllMicroservices();
    await app.listen(config.http.port, config.http.host);
    Logger.log(`/health and /metrics on http://${config.http.host}:${config.http.port}`, 'Aggregator');
  } else {
    const app = await NestFactory.createMicroservice(AppModule.forConfig(config, kafka), {
      ...transport,
      logger: ['error', 'warn', 'log'],
    });
    // SIGTERM closes the transport (commit, leave the group), then the producers (onApplicationShutdown).
    app.enableShutdownHooks();
    await app.listen();
  }
  Logger.log(`${config.kafka.clientId} consuming in group ${config.kafka.groupId}`, 'Aggregator');
});
