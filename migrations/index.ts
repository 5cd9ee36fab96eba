import { Migration20261123000000Foundation } from './Migration20261123000000Foundation';

/** Applied in this order; `npm run migration:create` appends new entries here. */
export const migrations = [
  { name: 'Migration20261123000000Foundation', class: Migration20261123000000Foundation },
];
