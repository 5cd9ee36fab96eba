import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module';
import { HealthController } from './health.controller';

@Module({ imports: [TokensModule], controllers: [HealthController] })
export class HealthModule {}
