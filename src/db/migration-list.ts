// Static imports so migrations run the same from `node`, jest and a bundle.
import { Migration20261123180824 } from './migrations/Migration20261123180824.ts';
import { Migration20261202120000 } from './migrations/Migration20261202120000.ts';
import { Migration20261202130000 } from './migrations/Migration20261202130000.ts';
import { Migration20261203120000 } from './migrations/Migration20261203120000.ts';
import { Migration20261203130000 } from './migrations/Migration20261203130000.ts';
import { Migration20261205120000 } from './migrations/Migration20261205120000.ts';
import { Migration20261213120000 } from './migrations/Migration20261213120000.ts';
import { Migration20261220100000 } from './migrations/Migration20261220100000.ts';
import { Migration20261221100000 } from './migrations/Migration20261221100000.ts';
import { Migration20261222100000 } from './migrations/Migration20261222100000.ts';
import { Migration20261227120000 } from './migrations/Migration20261227120000.ts';
import { Migration20261228120000 } from './migrations/Migration20261228120000.ts';
import { Migration20261230100000 } from './migrations/Migration20261230100000.ts';
import { Migration20261230120000 } from './migrations/Migration20261230120000.ts';
import { Migration20261231090000 } from './migrations/Migration20261231090000.ts';
import { Migration20261231120000 } from './migrations/Migration20261231120000.ts';
import { Migration20261231235900 } from './migrations/Migration20261231235900.ts';

export const migrationsList = [
  { name: 'Migration20261123180824', class: Migration20261123180824 },
  { name: 'Migration20261202120000', class: Migration20261202120000 },
  { name: 'Migration20261202130000', class: Migration20261202130000 },
  { name: 'Migration20261203120000', class: Migration20261203120000 },
  { name: 'Migration20261203130000', class: Migration20261203130000 },
  { name: 'Migration20261205120000', class: Migration20261205120000 },
  { name: 'Migration20261213120000', class: Migration20261213120000 },
  { name: 'Migration20261220100000', class: Migration20261220100000 },
  { name: 'Migration20261221100000', class: Migration20261221100000 },
  { name: 'Migration20261222100000', class: Migration20261222100000 },
  { name: 'Migration20261227120000', class: Migration20261227120000 },
  { name: 'Migration20261228120000', class: Migration20261228120000 },
  { name: 'Migration20261230100000', class: Migration20261230100000 },
  { name: 'Migration20261230120000', class: Migration20261230120000 },
  { name: 'Migration20261231090000', class: Migration20261231090000 },
  { name: 'Migration20261231120000', class: Migration20261231120000 },
  { name: 'Migration20261231235900', class: Migration20261231235900 },
];
