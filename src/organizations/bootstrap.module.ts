import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { BootstrapService } from './bootstrap.service';
import { OrganizationsModule } from './organizations.module';

/** Only the server imports this: the CLI must not create a default organization behind its back. */
@Module({ imports: [OrganizationsModule, AuditModule], providers: [BootstrapService] })
export class BootstrapModule {}
