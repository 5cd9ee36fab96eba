import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { ApiTokenAuthController } from './api-token-auth.controller';
import { ApiTokenAuthService } from './api-token-auth.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { MeController } from './me.controller';
import { MeService } from './me.service';
import { SessionsModule } from './sessions.module';

@Module({
  imports: [SessionsModule, UsersModule, OrganizationsModule, TokensModule, AuditModule],
  controllers: [AuthController, MeController, ApiTokenAuthController],
  providers: [
    AuthService,
    MeService,
    ApiTokenAuthService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, SessionsModule],
})
export class AuthModule {}
