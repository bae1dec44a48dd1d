// Run after `npm install` changes package-lock.json: `node .ci/complete-lock.mjs`.
//
// The registry mirror this project is built with serves only the Linux builds
// of platform-specific optional packages (@swc/core-*, @unrs/resolver-binding-*).
// `npm install` then leaves the others out of the lock, and `npm ci` refuses
// such a lock ("Missing: … from lock file") here and everywhere else. This adds
// a bare entry (name, version, optional) for each one, which npm ci accepts and
// resolves on the platform where it is needed.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const { packages } = lock;
let added = 0;
for (const [key, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${key ? `${key}/` : ''}node_modules/${name}`;
    const top = `node_modules/${name}`;
    if (packages[nested] || packages[top]) continue;
    packages[top] = { version, ...(entry.dev ? { dev: true } : {}), optional: true };
    added += 1;
  }
}
const [root, ...rest] = Object.entries(packages);
lock.packages = Object.fromEntries([root, ...rest.sort(([a], [b]) => a.localeCompare(b, 'en'))]);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added ? `package-lock.json: added ${added} optional platform entries` : 'package-lock.json is complete');
