import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsEnum,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PLAIN_EMAIL } from '../common/email';
import { PageQuery } from '../common/http/pagination';
import { Permission, PERMISSION_LABELS } from '../common/access/permission';
import { AuthMethod } from '../common/access/auth-method';
import { MIN_PASSWORD_LENGTH } from '../users/users.service';
import { CarriesSecret } from '../common/http/carries-secret';
import { stacked, trimText } from '../common/http/field-decorators';

/** A member's new password (the service decides when one is required or refused). */
const NewPassword = (description: string) =>
  stacked(
    ApiPropertyOptional({ format: 'password', minLength: MIN_PASSWORD_LENGTH, description }),
    // Null is refused before validation for every field not documented nullable (input-shape.ts).
    IsOptional(),
    CarriesSecret(),
    IsString(),
    MinLength(MIN_PASSWORD_LENGTH),
    MaxLength(1024),
  );

export class PermissionsPatch {
  @ApiPropertyOptional({ description: PERMISSION_LABELS[Permission.ManageApiTokens] })
  @IsOptional()
  @IsBoolean()
  'api_tokens.manage'?: boolean;
}

export class UpdateMemberDto {
  @ApiPropertyOptional({ type: PermissionsPatch })
  @IsOptional()
  @ValidateNested()
  @Type(() => PermissionsPatch)
  permissions?: PermissionsPatch;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() isSuperuser?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isActive?: boolean;

  @ApiPropertyOptional({
    enum: AuthMethod,
    description: 'Switch sign-in: to sso erases the password; to password needs `password`',
  })
  @IsOptional()
  @IsEnum(AuthMethod)
  authMethod?: AuthMethod;

  @NewPassword('With authMethod: password')
  password?: string;
}

export class AddMemberDto {
  @ApiProperty({ example: 'new.person@example.com' })
  @IsEmail()
  @Matches(PLAIN_EMAIL, { message: 'email must be one plain address, like name@example.com' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'New Person' })
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({ enum: AuthMethod })
  @IsEnum(AuthMethod)
  authMethod!: AuthMethod;

  @NewPassword('Required for password accounts, refused for SSO accounts')
  password?: string;
}

export class MemberView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty() isActive!: boolean;
  @ApiProperty() isSuperuser!: boolean;
  @ApiProperty({ type: [String], example: ['api_tokens.manage'] }) permissions!: string[];
  @ApiProperty({ enum: AuthMethod }) authMethod!: AuthMethod;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastLoginAt!: string | null;
  @ApiProperty() failedLoginCount!: number;
  @ApiProperty() activeTokenCount!: number;
}

export class MemberPage {
  @ApiProperty({ type: [MemberView] }) items!: MemberView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class MembersQuery extends PageQuery {}
