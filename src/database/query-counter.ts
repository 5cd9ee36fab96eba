import { RequestContext } from '@mikro-orm/core';

/**
 * Counts the SQL statements this process sends through MikroORM (every statement is a round
 * trip): all of them, and those sent while serving an HTTP request (inside a request's
 * EntityManager context; background work such as the mail worker runs outside one). Tests and
 * the benchmark read it to prove what the hot path does not do.
 */
export class QueryCounter {
  count = 0;
  requestCount = 0;

  readonly onQuery = (sql: string): string => {
    this.count += 1;
    if (RequestContext.currentRequestContext()) this.requestCount += 1;
    return sql;
  };
}
