import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { SessionsModule } from '../sessions/sessions.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { UsersModule } from '../users/users.module';
import { OidcClients } from './oidc-clients';
import { OrganizationSso } from './organization-sso.entity';
import { SsoConfigController } from './sso-config.controller';
import { SsoController } from './sso.controller';
import { SsoLoginState } from './sso-login-state.entity';
import { SsoLoginStates } from './sso-login-states';
import { SsoSecretBox } from './sso-secret-box';
import { SsoService } from './sso.service';

@Module({
  imports: [
    MikroOrmModule.forFeature([OrganizationSso, SsoLoginState]),
    SessionsModule,
    AuthModule,
    UsersModule,
    AuditModule,
    OrganizationsModule,
  ],
  controllers: [SsoController, SsoConfigController],
  providers: [SsoService, SsoSecretBox, SsoLoginStates, OidcClients],
  exports: [SsoService],
})
export class SsoModule {}
