import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, MaxLength } from 'class-validator';
import { AuthMethod } from '../common/access/auth-method';
import { EnteredPassword } from '../common/http/field-decorators';

export class LoginDto {
  @ApiProperty({ example: 'admin@keyhold.local' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @EnteredPassword()
  password!: string;
}

export class ReauthenticateDto {
  @EnteredPassword()
  password!: string;
}

export class UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'admin@keyhold.local' }) email!: string;
  @ApiProperty({ example: 'Ada Admin' }) name!: string;
  @ApiProperty({ enum: AuthMethod }) authMethod!: AuthMethod;
}

export class LoginResponse {
  @ApiProperty({ type: UserView }) user!: UserView;
  @ApiProperty({
    description: 'Echo this in the X-CSRF-Token header of unsafe requests',
    example: 'p1B3xq0yTQ2c9Jv5pYkq3w',
  })
  csrfToken!: string;
}

export class ReauthenticatedResponse {
  @ApiProperty({ format: 'date-time' }) reauthenticatedAt!: string;
  @ApiProperty({ format: 'date-time' }) validUntil!: string;
}

class OrganizationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'example-org' }) slug!: string;
  @ApiProperty({ example: 'Example Org' }) name!: string;
}

class AuthView {
  @ApiProperty({ enum: ['session', 'token'] }) kind!: 'session' | 'token';
  @ApiPropertyOptional({ format: 'uuid' }) tokenId?: string;
  @ApiPropertyOptional() tokenName?: string;
  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    type: String,
    description: "The calling token's expiry (null: never)",
  })
  expiresAt?: string | null;
  @ApiPropertyOptional({ enum: ['read_only', 'read_write'] }) access?: 'read_only' | 'read_write';
}

export class MeResponse {
  @ApiProperty({ type: UserView }) user!: UserView;
  @ApiProperty({ type: OrganizationView }) organization!: OrganizationView;
  @ApiProperty() isSuperuser!: boolean;
  @ApiProperty({ type: [String], example: ['api_tokens.manage'] }) permissions!: string[];
  @ApiProperty({ type: AuthView }) auth!: AuthView;
}
