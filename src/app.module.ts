import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ApiTokenAuthModule } from './api-token-auth/api-token-auth.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ProblemFilter } from './common/errors/problem.filter';
import { RequestValidationPipe } from './common/http/validation.pipe';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule, DatabaseModuleOptions } from './database/database.module';
import { HealthModule } from './health/health.module';
import { PermissionsModule } from './permissions/permissions.module';
import { TokensModule } from './tokens/tokens.module';
import { MailModule } from './mail/mail.module';
import { BootstrapModule } from './organizations/bootstrap.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { SsoModule } from './sso/sso.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** `databaseUrl` is resolved before Nest starts (it may be an embedded server). */
  static register(
    config: AppConfig,
    databaseUrl: string,
    database: DatabaseModuleOptions = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(databaseUrl, config.database, database),
        RateLimitModule,
        UsersModule,
        OrganizationsModule,
        BootstrapModule,
        TokensModule,
        AuditModule,
        AuthModule,
        ApiTokenAuthModule,
        PermissionsModule,
        MailModule,
        SsoModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
      ],
    };
  }
}
