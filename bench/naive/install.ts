import { registerHooks } from 'node:module';

const rekeyService = new URL('../../src/accounts/account-service.ts', import.meta.url).href;
const naiveService = new URL('./account-service.ts', import.meta.url).href;

/**
 * Makes every import of Rekey's AccountService (the GraphQL context builds one
 * per request) load the naive subclass instead; only the subclass itself
 * still reaches the original. Must run before the app's modules are imported.
 */
export function installNaiveFlow(): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      if (resolved.url === rekeyService && context.parentURL !== naiveService) return { ...resolved, url: naiveService };
      return resolved;
    },
  });
}
