import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { CarriesSecret } from '../common/http/carries-secret';
import { OptionalNotNull } from '../common/http/optional-not-null';

export const EXPIRY_CHOICES = [7, 30, 90, 365] as const;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateTokenDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'CI deploys' })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({
    enum: [...EXPIRY_CHOICES],
    nullable: true,
    default: 30,
    description: 'Days until the token expires; null for never. Defaults to 30.',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsIn([...EXPIRY_CHOICES], { message: 'expiresInDays must be one of 7, 30, 90, 365 or null' })
  expiresInDays?: number | null;
}

export class ApiTokenAuthDto {
  @ApiProperty({ description: 'The account email', example: 'dev@example.com' })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  username!: string;

  @ApiProperty({ format: 'password' })
  @CarriesSecret()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @OptionalNotNull()
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ enum: [...EXPIRY_CHOICES], nullable: true, default: 30 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsIn([...EXPIRY_CHOICES], { message: 'expiresInDays must be one of 7, 30, 90, 365 or null' })
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
}

export class TokenPage {
  @ApiProperty({ type: [TokenView] }) items!: TokenView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
