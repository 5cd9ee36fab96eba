/**
 * Counts the SQL statements this process sends through MikroORM (every statement is a round
 * trip). Tests and the benchmark read it to prove what the hot path does not do.
 */
export class QueryCounter {
  count = 0;

  readonly onQuery = (sql: string): string => {
    this.count += 1;
    return sql;
  };
}
