import { MikroOrmModule } from '@mikro-orm/nestjs';
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
import { Session } from './session.entity';
import { SessionsService } from './sessions.service';

@Module({
  imports: [
    MikroOrmModule.forFeature([Session]),
    UsersModule,
    OrganizationsModule,
    TokensModule,
    AuditModule,
  ],
  controllers: [AuthController, MeController, ApiTokenAuthController],
  providers: [
    AuthService,
    ApiTokenAuthService,
    SessionsService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, SessionsService],
})
export class AuthModule {}
