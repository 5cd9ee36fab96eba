import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { PageQuery } from '../common/http/pagination';
import { TokenAccess } from '../common/access/token-kinds';
import { EnteredPassword, stacked, trimText } from '../common/http/field-decorators';

export const EXPIRY_CHOICES = [7, 30, 90, 365] as const;
/** Form bodies carry text: "7" is 7 and "null" (or empty) is null; JSON values pass as they are. */
const formNumber = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === '' || text === 'null') return null;
  return /^\d{1,6}$/.test(text) ? Number(text) : value;
};
export const TOKEN_STATES = ['active', 'inactive', 'all'] as const;
export const MAX_OVERLAP_MINUTES = 10_080;

/** `expiresInDays`: one of the choices, null for never, or absent for the default. */
const ExpiresInDays = (description: string) =>
  stacked(
    ApiPropertyOptional({ enum: [...EXPIRY_CHOICES], nullable: true, description }),
    IsOptional(),
    ValidateIf((_, value) => value !== null),
    IsIn([...EXPIRY_CHOICES], { message: 'expiresInDays must be one of 7, 30, 90, 365 or null' }),
  );

/** A token's name as its owner gives it: trimmed, 1 to 100 characters. */
const TokenName = () =>
  stacked(
    Transform(trimText),
    IsString(),
    MinLength(1, { message: 'name must not be empty' }),
    MaxLength(100),
  );

/** `?state=`: which of one's tokens a list shows. */
export const TokenStateFilter = () =>
  stacked(
    ApiPropertyOptional({
      enum: TOKEN_STATES,
      default: 'active',
      description: 'inactive: revoked, expired, or rotated once the overlap has ended',
    }),
    IsOptional(),
    IsIn([...TOKEN_STATES]),
  );

export class CreateTokenDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'CI deploys' })
  @TokenName()
  name!: string;

  @ExpiresInDays('Days until the token expires; null for never. Defaults to 30.')
  expiresInDays?: number | null;

  @ApiPropertyOptional({
    enum: TokenAccess,
    description:
      'Defaults to read_write. read_only: refused (403 insufficient_scope) on POST, PUT, PATCH ' +
      'and DELETE',
  })
  @IsOptional()
  @IsIn(Object.values(TokenAccess), { message: 'access must be read_only or read_write' })
  access?: TokenAccess;
}

export class RotateTokenDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_OVERLAP_MINUTES,
    description:
      'Minutes the old token keeps working (never longer than it would have anyway); defaults ' +
      'to 60',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_OVERLAP_MINUTES)
  overlapMinutes?: number;

  @ExpiresInDays("The new token's lifetime in days; null for never. Defaults to 30.")
  expiresInDays?: number | null;
}

export class TokenListQuery extends PageQuery {
  @TokenStateFilter()
  state: (typeof TOKEN_STATES)[number] = 'active';
}

export class ApiTokenAuthDto {
  @ApiProperty({ description: 'The account email', example: 'dev@example.com' })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  username!: string;

  @EnteredPassword()
  password!: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptional()
  @TokenName()
  name?: string;

  @ExpiresInDays('Days until the token expires; null for never. Defaults to 30.')
  @Transform(formNumber)
  expiresInDays?: number | null;
}

export class CreatedTokenView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'CI deploys' }) name!: string;
  @ApiProperty({
    description: 'The secret. Shown only in this response; store it now.',
    example: 'khp_4fT9abcdEXAMPLEonlyEXAMPLEonlyEXAMPLEX1a9',
  })
  token!: string;
  @ApiProperty({ example: 'khp_4fT9abcd…X1a9' }) preview!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ enum: TokenAccess }) access!: TokenAccess;
}

export class RotatedTokenView extends CreatedTokenView {
  @ApiProperty({ format: 'uuid', description: 'The token this one replaces' })
  rotatedFromId!: string;
}

/** api-token-auth's answer, like Django REST framework's obtain_auth_token (plus metadata). */
export class ObtainedTokenView {
  @ApiProperty({ description: 'The secret. Shown only in this response; store it now.' })
  token!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'khp_4fT9abcd…X1a9' }) preview!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: string | null;
}

export class RecentIpView {
  @ApiProperty() ip!: string;
  @ApiProperty({ format: 'date-time' }) firstSeenAt!: string;
  @ApiProperty({ format: 'date-time' }) lastSeenAt!: string;
}

export class RevokedByView {
  @ApiProperty({ enum: ['owner', 'superuser', 'leak_report'] })
  kind!: 'owner' | 'superuser' | 'leak_report';
  @ApiPropertyOptional({ format: 'uuid' }) userId?: string;
  @ApiPropertyOptional({ description: "The superuser's name" }) name?: string;
}

export class TokenView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'CI deploys' }) name!: string;
  @ApiProperty({ example: 'khp_4fT9abcd…X1a9' }) preview!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ example: '203.0.113.7' }) createdIp!: string;
  @ApiProperty({ example: 'curl/8.5.0' }) createdUserAgent!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'null: never used',
  })
  lastUsedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastUsedMethod!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Path only, no query string' })
  lastUsedPath!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastUsedIp!: string | null;
  @ApiProperty({ description: 'True while the owner lacks api_tokens.manage' }) blocked!: boolean;
  @ApiProperty({ enum: TokenAccess }) access!: TokenAccess;
  @ApiProperty({
    type: [RecentIpView],
    description: 'The last 5 distinct client IPs, newest first',
  })
  recentIps!: RecentIpView[];
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty({ type: RevokedByView, nullable: true }) revokedBy!: RevokedByView | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When it expired (rotated tokens: when the overlap ended); null while active',
  })
  expiredAt!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) rotatedFromId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) rotatedToId!: string | null;
}

export class TokenPage {
  @ApiProperty({ type: [TokenView] }) items!: TokenView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
