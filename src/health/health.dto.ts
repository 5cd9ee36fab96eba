import { ApiProperty } from '@nestjs/swagger';

const STATES = ['ok', 'down', 'not_configured'] as const;
type CheckState = (typeof STATES)[number];

export class LivenessView {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}

/** What readiness checked; a 503 problem carries the same `checks` naming what is down. */
export class ReadinessView {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty({ enum: STATES, description: 'The database answered within the bound' })
  database!: CheckState;
  @ApiProperty({
    enum: STATES,
    description: 'The LISTEN connection that spreads revocations (without it the cache is off)',
  })
  cacheListener!: CheckState;
  @ApiProperty({ enum: STATES, description: 'Redis, when REDIS_URL is set' })
  redis!: CheckState;
}
