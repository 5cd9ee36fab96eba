import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { UsersModule } from '../users/users.module';
import { ApiToken } from './api-token.entity';
import { ApiTokenRepository } from './api-token.repository';
import { TokenUseRepository } from './token-use.repository';
import { BearerStrategy } from './bearer.strategy';
import { LastUsedRecorder } from './last-used.recorder';
import { OrganizationTokensController } from './organization-tokens.controller';
import { OrganizationTokensService } from './organization-tokens.service';
import { ProfileTokensController } from './profile-tokens.controller';
import { ProfileTokensService } from './profile-tokens.service';
import { TokenAuthenticator } from './token-authenticator.service';
import { TokenVerifier } from './token-verifier.service';
import { TokenAccessChanges } from './token-access-changes.service';
import { TokenCache } from './token-cache';
import { TokenLeaksController } from './token-leaks.controller';
import { TokenLeaksService } from './token-leaks.service';
import { TokenEvents } from './token-events.service';
import { TokensService } from './tokens.service';
import { TokenIssuing } from './token-issuing';
import { TokenRotation } from './token-rotation.service';
import { TokenExpiryReminders } from './token-expiry-reminders.service';
import { MemberTokensController } from './member-tokens.controller';

@Module({
  imports: [
    MikroOrmModule.forFeature([ApiToken]),
    UsersModule,
    AuditModule,
    MailModule,
    OrganizationsModule,
  ],
  controllers: [
    ProfileTokensController,
    OrganizationTokensController,
    MemberTokensController,
    TokenLeaksController,
  ],
  providers: [
    ApiTokenRepository,
    TokenUseRepository,
    TokensService,
    TokenIssuing,
    TokenRotation,
    TokenExpiryReminders,
    TokenLeaksService,
    TokenCache,
    TokenAccessChanges,
    TokenEvents,
    ProfileTokensService,
    OrganizationTokensService,
    TokenVerifier,
    TokenAuthenticator,
    BearerStrategy,
    LastUsedRecorder,
  ],
  exports: [
    TokenAccessChanges,
    TokensService,
    ProfileTokensService,
    TokenAuthenticator,
    LastUsedRecorder,
    TokenExpiryReminders,
  ],
})
export class TokensModule {}
