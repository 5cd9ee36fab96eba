import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { MAX_ALLOWED_DOMAINS } from './sso-settings';
import { CarriesSecret } from '../common/http/carries-secret';

export class SsoConfigDto {
  @ApiProperty({
    example: 'https://login.example.com',
    description:
      'The identity provider’s issuer identifier, exactly as its ' +
      '/.well-known/openid-configuration states it (checked when saving)',
  })
  @IsString()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2048)
  issuer!: string;

  @ApiProperty({ example: 'keyhold' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  clientId!: string;

  @ApiProperty({
    format: 'password',
    writeOnly: true,
    description: 'Stored encrypted; never returned by any endpoint',
  })
  @CarriesSecret()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  clientSecret!: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['example.com'],
    description: 'Only addresses at these domains may sign in; empty or absent: any domain',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ALLOWED_DOMAINS)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9.-]{1,253}$/, { each: true, message: 'each domain must be a domain name' })
  allowedEmailDomains?: string[];
}

export class SsoConfigView {
  @ApiProperty({ format: 'uuid' }) organizationId!: string;
  @ApiProperty() issuer!: string;
  @ApiProperty() clientId!: string;
  @ApiProperty({ type: [String] }) allowedEmailDomains!: string[];
  @ApiProperty({
    example: 'https://keyhold.example.com/api/v1/auth/sso/callback',
    description: 'Register this redirect URI with the identity provider',
  })
  redirectUri!: string;
  @ApiProperty({ enum: [true], description: 'The secret itself is never returned' })
  clientSecretSet!: true;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}
