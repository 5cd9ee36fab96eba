import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The module map (README "Module map") as a test: it reads every import line under src/ and
 * fails on an edge the layering forbids. Spec files are left out: a test may reach across.
 */
const SRC = __dirname;
// Below every feature: common (with the access vocabulary in common/access), config, database.
const BASE = new Set(['common', 'config', 'database']);
const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The top-level folder of src/ a path is in (a file directly in src/ is its own "folder"). */
function folderOf(path: string): string {
  return relative(SRC, path).split(sep)[0];
}

/** Every cross-folder import edge, as "from -> to" with the files that make it. */
function folderEdges(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(SRC + sep)) continue; // e.g. migrations/, outside src/
      const to = folderOf(target);
      if (to === from) continue;
      const key = `${from} -> ${to}`;
      edges.set(key, [...(edges.get(key) ?? []), relative(SRC, file)]);
    }
  }
  return edges;
}

describe('module layering', () => {
  const edges = folderEdges();

  it('sees the imports it checks', () => {
    expect(edges.get('tokens -> users')).toBeDefined();
  });

  it('has no two top-level folders of src/ importing each other', () => {
    const cycles = [...edges.keys()]
      .map((edge) => edge.split(' -> '))
      .filter(([from, to]) => from < to && edges.has(`${to} -> ${from}`))
      .map(
        ([a, b]) =>
          `${a} <-> ${b}: ${[...edges.get(`${a} -> ${b}`)!, ...edges.get(`${b} -> ${a}`)!].join(', ')}`,
      );
    expect(cycles).toEqual([]);
  });

  it('keeps the base (common, config, database) free of feature imports', () => {
    const upward = [...edges.entries()]
      .filter(([edge]) => {
        const [from, to] = edge.split(' -> ');
        return BASE.has(from) && !BASE.has(to);
      })
      .map(([edge, files]) => `${edge}: ${files.join(', ')}`);
    expect(upward).toEqual([]);
  });
});
