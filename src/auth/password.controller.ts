import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { CommonErrorCode } from '../common/errors/common-errors';
import { CarriesSecret } from '../common/http/carries-secret';
import { EnteredPassword } from '../common/http/field-decorators';
import { ApiErrors } from '../common/http/openapi-decorators';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { Authenticated } from '../common/access/auth-rule.decorator';
import { CurrentPrincipal } from '../common/access/current-principal.decorator';
import { MIN_PASSWORD_LENGTH } from '../users/users.service';
import { AuthErrorCode } from '../common/access/auth.errors';
import { PasswordService } from './password.service';
import type { Principal } from '../common/access/principal';

export class ChangePasswordDto {
  @EnteredPassword()
  currentPassword!: string;

  @ApiProperty({ format: 'password', minLength: MIN_PASSWORD_LENGTH })
  @CarriesSecret()
  @IsString()
  @MaxLength(1024)
  newPassword!: string;
}

@ApiTags('auth')
@Controller('api/v1/auth')
export class PasswordController {
  constructor(private readonly passwords: PasswordService) {}

  @Post('password')
  @HttpCode(204)
  @Authenticated({ sessionOnly: true })
  @ApiOperation({
    operationId: 'changePassword',
    summary: 'Change your password; your other sessions end, and you are told by mail',
  })
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiErrors(
    AuthErrorCode.SsoRequired,
    AuthErrorCode.InvalidCredentials,
    CommonErrorCode.RateLimited,
  )
  async change(
    @Body() body: ChangePasswordDto,
    @CurrentPrincipal() principal: Principal,
    @ReqMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.passwords.change(principal, body.currentPassword, body.newPassword, meta);
  }
}
