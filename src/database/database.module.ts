import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { DatabaseTimeouts, DEFAULT_TIMEOUTS, ormOptions } from './orm-options';
import { QueryCounter } from './query-counter';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(
    databaseUrl: string,
    timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS,
  ): DynamicModule {
    const counter = new QueryCounter();
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRoot({
          ...ormOptions(databaseUrl, timeouts),
          autoLoadEntities: true,
          // Registered as a Fastify hook instead (src/database/request-context.ts).
          registerRequestContext: false,
          onQuery: counter.onQuery,
        }),
      ],
      providers: [{ provide: QueryCounter, useValue: counter }],
      exports: [QueryCounter],
    };
  }
}
