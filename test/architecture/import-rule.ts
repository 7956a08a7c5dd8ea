/**
 * The import rule of docs/design.md ("Layers"): a module may import its own
 * folder and the folders listed above it, and files import no cycle.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import ts from "typescript";

/** The layer order, top first, read from the ```layers block of the design page. */
export function readLayers(designMarkdown: string): string[] {
  const block = /```layers\n([\s\S]*?)```/.exec(designMarkdown);
  if (block?.[1] === undefined) throw new Error("docs/design.md has no ```layers block");
  return block[1]
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((name) => name !== "");
}

/** Every .ts file below `dir`, as paths relative to `root`. */
export function sourceFiles(root: string, dir = "src"): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

/** The relative imports (static, re-exports and dynamic) of each file, resolved to .ts paths. */
export function importGraph(root: string, files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(join(root, file), "utf8"), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((name) => name.startsWith("."))
      .map((name) => normalize(join(dirname(file), name)).replace(/\.js$/, ".ts"));
    graph.set(file, targets);
  }
  return graph;
}

/** `src/<folder>/...` → folder; `src/cli.ts` belongs to `commands`. */
export function layerOf(file: string): string {
  const parts = file.split(sep);
  return parts.length > 2 ? (parts[1] ?? "") : "commands";
}

/** One line per import that points below its layer or at an unlisted folder. */
export function layerViolations(graph: ReadonlyMap<string, readonly string[]>, layers: readonly string[]): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    const from = layers.indexOf(layerOf(file));
    if (from < 0) {
      out.push(`${file}: folder '${layerOf(file)}' is not in the layer list of docs/design.md`);
      continue;
    }
    for (const target of targets) {
      if (!target.startsWith(`src${sep}`)) continue;
      const to = layers.indexOf(layerOf(target));
      if (to > from) out.push(`${file} imports ${target}: '${layerOf(file)}' may not import '${layerOf(target)}' (listed below it)`);
      else if (to < 0) out.push(`${file} imports ${target}: folder '${layerOf(target)}' is not in the layer list`);
    }
  }
  return out;
}

/** The import cycles among files (each a list of its files), by Tarjan's strongly connected components. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
