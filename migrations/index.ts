import { Migration20261123000000Foundation } from './Migration20261123000000Foundation';
import { Migration20261123000100Tokens } from './Migration20261123000100Tokens';
import { Migration20261123000200Audit } from './Migration20261123000200Audit';
import { Migration20261123000300Mail } from './Migration20261123000300Mail';
import { Migration20261123000400Sso } from './Migration20261123000400Sso';
import { Migration20261123000500TokenLifetime } from './Migration20261123000500TokenLifetime';
import { Migration20261201000000PasswordChange } from './Migration20261201000000PasswordChange';
import { Migration20261201000000SsoSubject } from './Migration20261201000000SsoSubject';
import { Migration20261201000000TokenLifecycle } from './Migration20261201000000TokenLifecycle';

/** Applied in this order (by name); a new migration is appended here. */
export const migrations = [
  { name: 'Migration20261123000000Foundation', class: Migration20261123000000Foundation },
  { name: 'Migration20261123000100Tokens', class: Migration20261123000100Tokens },
  { name: 'Migration20261123000200Audit', class: Migration20261123000200Audit },
  { name: 'Migration20261123000300Mail', class: Migration20261123000300Mail },
  { name: 'Migration20261123000400Sso', class: Migration20261123000400Sso },
  { name: 'Migration20261123000500TokenLifetime', class: Migration20261123000500TokenLifetime },
  { name: 'Migration20261201000000PasswordChange', class: Migration20261201000000PasswordChange },
  { name: 'Migration20261201000000SsoSubject', class: Migration20261201000000SsoSubject },
  { name: 'Migration20261201000000TokenLifecycle', class: Migration20261201000000TokenLifecycle },
];
