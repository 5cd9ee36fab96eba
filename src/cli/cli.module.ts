import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { RateLimitModule } from '../common/rate-limit/rate-limit.module';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { PasswordService } from '../auth/password.service';
import { MailQueueModule } from '../mail/mail.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { SsoModule } from '../sso/sso.module';
import { UsersModule } from '../users/users.module';

@Module({})
export class CliModule {
  static register(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: CliModule,
      imports: [
        // SsoModule reaches AuthModule and TokensModule, which bring the mail worker and the
        // reminder sweep: they stay idle here (the running server delivers what the CLI queues).
        ConfigModule.forRoot(AppConfig.create({ ...config, backgroundWork: false })),
        DatabaseModule.forRoot(databaseUrl, config.database),
        RateLimitModule,
        AuditModule,
        UsersModule,
        OrganizationsModule,
        SsoModule,
        MailQueueModule,
      ],
      providers: [PasswordService],
    };
  }
}
