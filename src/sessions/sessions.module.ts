import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { Session } from './session.entity';
import { SessionsService } from './sessions.service';

/**
 * Sessions on their own, so that UsersModule can end a user's sessions when their credentials
 * change without importing AuthModule (which imports UsersModule: that would be a cycle).
 */
@Module({
  imports: [MikroOrmModule.forFeature([Session])],
  providers: [SessionsService],
  exports: [SessionsService],
})
export class SessionsModule {}
