import { randomSecret } from '../common/crypto';
import { randomUUID } from 'node:crypto';
import { CreateRequestContext, MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { lockForTransaction } from '../database/advisory-lock';
import { OrganizationsService } from './organizations.service';

/** On the first start against an empty database, creates the organization and its superuser. */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly config: AppConfig,
    // Read by @CreateRequestContext: this runs outside any request, so it gets its own context.
    private readonly orm: MikroORM,
    private readonly organizations: OrganizationsService,
    private readonly audit: AuditService,
  ) {}

  @CreateRequestContext()
  async onApplicationBootstrap(): Promise<void> {
    await this.orm.em.transactional(async (em) => {
      // One instance bootstraps even when several start together on an empty database.
      await lockForTransaction(em, 'keyhold.bootstrap');
      if ((await this.organizations.count()) > 0) return;
      const { orgName, adminEmail, adminPassword } = this.config.bootstrap;
      const password = adminPassword ?? randomSecret(18);
      const { organization, admin } = await this.organizations.createWithAdmin({
        name: orgName ?? 'My Organization',
        adminEmail: adminEmail ?? 'admin@keyhold.local',
        adminName: 'Administrator',
        adminPassword: password,
      });
      await this.audit.recordNewMember(
        admin,
        { ip: 'local', userAgent: 'keyhold-bootstrap', requestId: randomUUID() },
        'bootstrap',
      );
      this.logger.log(
        { organizationId: organization.id, slug: organization.slug, adminEmail: admin.user.email },
        'Bootstrapped the first organization and superuser',
      );
      if (!adminPassword) {
        // Shown once, on the terminal only; it is stored nowhere but as a hash.
        process.stdout.write(
          `\n  Keyhold first start: superuser ${admin.user.email} / password ${password}\n` +
            `  (printed once; set BOOTSTRAP_ADMIN_PASSWORD to choose it)\n\n`,
        );
      }
    });
  }
}
