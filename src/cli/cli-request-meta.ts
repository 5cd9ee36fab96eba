import { randomUUID } from 'node:crypto';
import type { RequestMeta } from '../common/http/request-meta';

/** What the audit log records as the origin of a CLI change (a new request id each time). */
export const cliRequestMeta = (): RequestMeta => ({
  ip: 'cli',
  userAgent: 'keyhold-cli',
  requestId: randomUUID(),
});
