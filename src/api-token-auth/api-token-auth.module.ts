import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { TokensModule } from '../tokens/tokens.module';
import { ApiTokenAuthController } from './api-token-auth.controller';
import { ApiTokenAuthService } from './api-token-auth.service';

/**
 * `POST /api-token-auth` (SPEC §7): credentials in, a token out. Its own module because it joins
 * sign-in (auth) and issuing (tokens), while auth's guard already depends on tokens.
 */
@Module({
  imports: [AuthModule, TokensModule],
  controllers: [ApiTokenAuthController],
  providers: [ApiTokenAuthService],
})
export class ApiTokenAuthModule {}
