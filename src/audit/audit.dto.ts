import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import { AuditAction, type ActorVia } from './audit-action';
import { PageQuery } from '../common/http/pagination';

// A date, or a date-time with an explicit offset: a bare local time would depend on the server.
// Years 1970-9999 only: JavaScript and PostgreSQL disagree about year 0 and beyond 9999.
const DATE_OR_ZONED_TIME =
  /^(19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const TIME_MESSAGE = '$property must be an ISO-8601 date or a date-time with Z or an offset';

export class AuditEventsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only events performed by this user' })
  @IsOptional()
  @IsUUID()
  actor?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only events about this user' })
  @IsOptional()
  @IsUUID()
  targetUser?: string;

  @ApiPropertyOptional({ enum: AuditAction, enumName: 'AuditAction' })
  @IsOptional()
  @IsEnum(AuditAction)
  action?: AuditAction;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events at or after this time' })
  @IsOptional()
  @Matches(DATE_OR_ZONED_TIME, { message: TIME_MESSAGE })
  @IsISO8601({ strict: true }, { message: TIME_MESSAGE })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events before this time' })
  @IsOptional()
  @Matches(DATE_OR_ZONED_TIME, { message: TIME_MESSAGE })
  @IsISO8601({ strict: true }, { message: TIME_MESSAGE })
  to?: string;
}

export class AuditActorView {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) userId!: string | null;
  @ApiProperty({
    enum: ['session', 'token', 'password', 'system'],
    description:
      'password: api-token-auth (credentials only); system: no signed-in actor (a refused login, the CLI)',
  })
  via!: ActorVia;
  @ApiPropertyOptional({ format: 'uuid', description: 'Present when via is "token"' })
  tokenId?: string;
}

export class AuditEventView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ enum: AuditAction, enumName: 'AuditAction' }) action!: AuditAction;
  @ApiProperty({ type: AuditActorView }) actor!: AuditActorView;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) targetUserId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) targetTokenId!: string | null;
  @ApiProperty({ nullable: true, type: String }) ip!: string | null;
  @ApiProperty({ nullable: true, type: String }) userAgent!: string | null;
  @ApiProperty({ nullable: true, type: String }) requestId!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Details of the event; never holds a secret',
  })
  metadata!: Record<string, unknown>;
}

export class AuditEventPage {
  @ApiProperty({ type: [AuditEventView] }) items!: AuditEventView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as ?cursor= for the next page' })
  nextCursor!: string | null;
}
