import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { MembersController } from './members.controller';
import { TeamService } from './team.service';

@Module({
  imports: [UsersModule, TokensModule, AuthModule, AuditModule],
  controllers: [MembersController],
  providers: [TeamService],
})
export class PermissionsModule {}
