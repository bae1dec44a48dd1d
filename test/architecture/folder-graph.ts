// `npm run folders` (part of `npm run check`): the folders under src/ depend
// on each other one way only, and none grows into a grab bag. dpdm checks
// cycles between files; this checks them between folders, where a cycle means
// two features can no longer be understood (or moved) one without the other.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
/** A folder of more files than this holds more than one idea; migrations are a history, not an idea. */
const MAX_FILES_PER_FOLDER = 15;
const EXEMPT_FROM_FILE_COUNT = new Set(['db/migrations']);
const IMPORT = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

function sourceFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sourceFiles(path, found);
    else if (/\.(ts|js)$/.test(entry)) found.push(path);
  }
  return found;
}

/** The top-level folder of src/ a file belongs to (a file directly in src/ is its own). */
function folderOf(path: string): string {
  return relative(SRC, path).split('/')[0] ?? '';
}

export function folderEdges(): Map<string, Map<string, string[]>> {
  const edges = new Map<string, Map<string, string[]>>();
  for (const file of sourceFiles(SRC)) {
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), specifier ?? '');
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from === to || !target.startsWith(SRC)) continue;
      const targets = edges.get(from) ?? new Map<string, string[]>();
      targets.set(to, [...(targets.get(to) ?? []), `${relative(SRC, file)} → ${relative(SRC, target)}`]);
      edges.set(from, targets);
    }
  }
  return edges;
}

/** Every cycle between folders, each as the path that closes it. */
export function folderCycles(edges = folderEdges()): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (folder: string, path: string[]) => {
    state.set(folder, 'open');
    for (const next of edges.get(folder)?.keys() ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), folder, next].filter((f, i, all) => i === 0 || f !== all[i - 1]));
      else if (state.get(next) === undefined) visit(next, [...path, folder]);
    }
    state.set(folder, 'done');
  };
  for (const folder of edges.keys()) if (!state.has(folder)) visit(folder, []);
  return cycles;
}

export function crowdedFolders(): string[] {
  const counts = new Map<string, number>();
  for (const file of sourceFiles(SRC)) {
    const folder = relative(SRC, dirname(file));
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
  }
  return [...counts].filter(([folder, count]) => count > MAX_FILES_PER_FOLDER && !EXEMPT_FROM_FILE_COUNT.has(folder)).map(([f, n]) => `${f} (${n})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const edges = folderEdges();
  const problems = [
    ...folderCycles(edges).map((cycle) => {
      const [from, to] = [cycle.at(-2) ?? '', cycle.at(-1) ?? ''];
      return `folder cycle ${cycle.join(' → ')} (closed by ${edges.get(from)?.get(to)?.[0]})`;
    }),
    ...crowdedFolders().map((folder) => `src/${folder} holds more than ${MAX_FILES_PER_FOLDER} files`),
  ];
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) process.exit(1);
  console.log(`src/: ${edges.size} folders, dependencies one way, none over ${MAX_FILES_PER_FOLDER} files.`);
}
