import { DynamicModule, Inject, InjectionToken, Module, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { createKafka, KafkaConnection } from './kafka';

/**
 * The app's one kafkajs client (brokers, client id, TLS/SASL). Every producer, consumer and admin of
 * the app is made from it, so the connection settings live in one place; each of those owns its own
 * connection and is disconnected by whoever made it (a kafkajs `Kafka` has nothing to close).
 */
export const KAFKA: InjectionToken<Kafka> = Symbol('KAFKA');

/** `@InjectKafka() kafka: Kafka`: the typed way to ask for {@link KAFKA}. */
export const InjectKafka = (): PropertyDecorator & ParameterDecorator => Inject(KAFKA);

export interface KafkaModuleAsyncOptions<A extends unknown[]> {
  /** Modules that export what `inject` names; not needed for a global config module (libs/ops configModule). */
  imports?: ModuleMetadata['imports'];
  /** Providers handed to useFactory, typically the app's validated config token. */
  inject: { [K in keyof A]: InjectionToken | OptionalFactoryDependency };
  useFactory: (...args: A) => KafkaConnection;
}

/**
 * Provides {@link KAFKA} to the whole app (global: every context module injects it without importing
 * this module again). Import it once, in the app's root module.
 */
@Module({})
export class KafkaModule {
  /**
   * From the connection settings, or from a client the app built before Nest did: the aggregator's
   * events transport must exist before its app does (a microservice is created with it), and shares the client.
   */
  static forRoot(connection: KafkaConnection | Kafka): DynamicModule {
    const kafka = connection instanceof Kafka ? connection : createKafka(connection);
    return { module: KafkaModule, global: true, providers: [{ provide: KAFKA, useValue: kafka }], exports: [KAFKA] };
  }

  /** From other providers, e.g. `{ inject: [APP_CONFIG], useFactory: (c: AppConfig) => c.kafka }`. */
  static forRootAsync<A extends unknown[]>(options: KafkaModuleAsyncOptions<A>): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      imports: options.imports ?? [],
      providers: [{ provide: KAFKA, inject: options.inject, useFactory: (...args: A) => createKafka(options.useFactory(...args)) }],
      exports: [KAFKA],
    };
  }
}
