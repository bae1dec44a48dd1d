import type { Plugin } from 'graphql-yoga';
import type { AppDeps } from '../app.ts';
import type { ServerContext } from './client-address.ts';

/** Placeholder until the workflow-compatible route lands. */
export function restChangePasswordRoute(_deps: AppDeps): Plugin<ServerContext> {
  return {};
}
