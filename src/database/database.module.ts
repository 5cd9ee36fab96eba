import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { DatabaseTimeouts, DEFAULT_TIMEOUTS, ormOptions } from './orm-options';
import { QueryCounter } from './query-counter';

export interface DatabaseModuleOptions {
  /**
   * Provide a QueryCounter fed by an onQuery hook (the benchmark and the tests ask for it); off,
   * production pays nothing per query and nothing can read a counter that never counts.
   */
  countQueries?: boolean;
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(
    databaseUrl: string,
    timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS,
    { countQueries = false }: DatabaseModuleOptions = {},
  ): DynamicModule {
    const counter = countQueries ? new QueryCounter() : undefined;
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRoot({
          ...ormOptions(databaseUrl, timeouts),
          autoLoadEntities: true,
          // Registered as a Fastify hook instead (src/database/request-context.ts).
          registerRequestContext: false,
          ...(counter ? { onQuery: counter.onQuery } : {}),
        }),
      ],
      providers: counter ? [{ provide: QueryCounter, useValue: counter }] : [],
      exports: counter ? [QueryCounter] : [],
    };
  }
}
