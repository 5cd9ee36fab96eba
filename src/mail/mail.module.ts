import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { MailOutbox } from './mail-outbox';
import { MailService } from './mail.service';
import { MailTransport } from './mail-transport';
import { MailWorker } from './mail.worker';
import { OutboxMessage } from './outbox-message.entity';

/** Token notification emails through a transactional outbox (SPEC §7). */
@Module({
  imports: [MikroOrmModule.forFeature([OutboxMessage])],
  providers: [MailService, MailWorker, MailOutbox, MailTransport],
  exports: [MailService],
})
export class MailModule {}

/**
 * Queueing only, for the CLI: rows (and their NOTIFY) go into the outbox and a running server's
 * worker delivers them; no worker runs in the short-lived CLI process.
 */
@Module({
  imports: [MikroOrmModule.forFeature([OutboxMessage])],
  providers: [MailService, { provide: MailWorker, useValue: { enqueued: () => undefined } }],
  exports: [MailService],
})
export class MailQueueModule {}
