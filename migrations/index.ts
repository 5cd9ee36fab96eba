import { Migration20261123000000Foundation } from './Migration20261123000000Foundation';
import { Migration20261123000400Sso } from './Migration20261123000400Sso';

/** Applied in this order; `npm run migration:create` appends new entries here. */
export const migrations = [
  { name: 'Migration20261123000000Foundation', class: Migration20261123000000Foundation },
  { name: 'Migration20261123000400Sso', class: Migration20261123000400Sso },
];
