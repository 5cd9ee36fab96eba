import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { MeController } from './me.controller';
import { MeService } from './me.service';
import { PasswordController } from './password.controller';
import { PasswordService } from './password.service';
import { SessionsModule } from '../sessions/sessions.module';

@Module({
  imports: [
    SessionsModule,
    UsersModule,
    OrganizationsModule,
    TokensModule,
    AuditModule,
    MailModule,
  ],
  controllers: [AuthController, MeController, PasswordController],
  providers: [AuthService, PasswordService, MeService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, SessionsModule],
})
export class AuthModule {}
