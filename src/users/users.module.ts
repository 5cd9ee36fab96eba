import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { Membership } from './membership.entity';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';
import { UsersService } from './users.service';

@Module({
  imports: [MikroOrmModule.forFeature([User, Membership]), SessionsModule],
  providers: [UsersService, PasswordHasher],
  exports: [UsersService],
})
export class UsersModule {}
