import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Kafka } from 'kafkajs';
import { createKafka } from './kafka';
import { InjectKafka, KAFKA, KafkaModule } from './kafka.module';

@Injectable()
class ProducerSide {
  constructor(@InjectKafka() readonly kafka: Kafka) {}
}

@Injectable()
class ConsumerSide {
  constructor(@InjectKafka() readonly kafka: Kafka) {}
}

/** Another context: it does not import KafkaModule, the root module does. */
@Module({ providers: [ConsumerSide], exports: [ConsumerSide] })
class OtherContextModule {}

const APP_CONFIG = Symbol('APP_CONFIG');

describe(KafkaModule.name, () => {
  it('gives every provider of the app the same kafkajs client, context modules included', async () => {
    const app = await Test.createTestingModule({
      imports: [KafkaModule.forRoot({ brokers: ['127.0.0.1:1'], clientId: 'spec' }), OtherContextModule],
      providers: [ProducerSide],
    }).compile();
    const kafka = app.get<Kafka>(KAFKA);
    expect(kafka).toBeInstanceOf(Kafka);
    expect(app.get(ProducerSide).kafka).toBe(kafka);
    expect(app.get(ConsumerSide).kafka).toBe(kafka);
    await app.close();
  });

  it('takes a client the app already built (a transport that shares it) as it is', async () => {
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'built-before' });
    const app = await Test.createTestingModule({ imports: [KafkaModule.forRoot(kafka), OtherContextModule] }).compile();
    expect(app.get(KAFKA)).toBe(kafka);
    expect(app.get(ConsumerSide).kafka).toBe(kafka);
    await app.close();
  });

  it('builds the client once from the connection the app config provider names', async () => {
    const config = { kafka: { brokers: ['127.0.0.1:1'], clientId: 'from-config' } };
    const factory = jest.fn((c: typeof config) => c.kafka);
    @Module({ providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] })
    class ConfigModule {}
    const app = await Test.createTestingModule({
      imports: [KafkaModule.forRootAsync({ imports: [ConfigModule], inject: [APP_CONFIG], useFactory: factory }), OtherContextModule],
      providers: [ProducerSide],
    }).compile();
    expect(factory).toHaveBeenCalledTimes(1);
    expect(factory).toHaveBeenCalledWith(config);
    expect(app.get(ConsumerSide).kafka).toBe(app.get(ProducerSide).kafka);
    expect(app.get(ConsumerSide).kafka).toBeInstanceOf(Kafka);
    await app.close();
  });
});
