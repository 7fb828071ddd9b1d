/**
 * One HTTP server for bench:adapters: a Nest app with one POST route on the adapter named in argv,
 * reading a JSON body of events and answering 202 with their count, as ingest does without the broker.
 * Run as its own process so that each adapter has a core to itself and a fresh heap.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

@Controller('v1/events')
class EventsController {
  @Post()
  @HttpCode(202)
  ingest(@Body() body: unknown): { accepted: number } {
    return { accepted: Array.isArray(body) ? body.length : 1 };
  }
}

@Module({ controllers: [EventsController] })
class BenchModule {}

async function main(): Promise<void> {
  const [adapterName, port] = process.argv.slice(2);
  // each adapter with Nest's own JSON body parsing (bodies here are far under both default limits)
  const adapter = adapterName === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(BenchModule, adapter, { logger: ['error'] });
  await app.listen(Number(port), '127.0.0.1');
  process.send?.('listening');
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
