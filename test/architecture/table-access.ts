import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

// A static read of src/: which module writes (and reads) which table, from raw SQL and from
// TypeORM repository calls. The owner of a table is the module its entity lives in.

export interface Access {
  table: string;
  module: string;
  file: string;
  kind: 'write' | 'read';
}

// Jest runs from the repository root (package.json's scripts).
const ROOT = process.cwd();
const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return files(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** `src/modules/<name>/...` → name; everything else under src/ is `common`. */
export function moduleOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts[0] === 'modules' ? parts[1] : 'common';
}

export interface Schema {
  /** table → owning module */
  owners: Map<string, string>;
  /** read model (a view a module publishes for other modules' queries, in a *.read-model.ts) → its module */
  readModels: Map<string, string>;
  /** entity class → table */
  tables: Map<string, string>;
}

export function readSchema(): Schema {
  const owners = new Map<string, string>();
  const tables = new Map<string, string>();
  for (const file of files(SRC).filter((f) => f.endsWith('.entity.ts'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/@Entity\(\s*(?:\{\s*name:\s*)?'([a-z_]+)'[\s\S]*?export class (\w+)/g)) {
      owners.set(m[1], moduleOf(file));
      tables.set(m[2], m[1]);
    }
  }
  const readModels = new Map<string, string>();
  for (const file of files(SRC).filter((f) => f.endsWith('.read-model.ts'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/export const \w+_VIEW = '([a-z_]+)'/g)) readModels.set(m[1], moduleOf(file));
  }
  return { owners, tables, readModels };
}

const SQL_WRITE = /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([a-z_]+)"?/gi;
const SQL_READ = /\b(?:FROM|JOIN)\s+"?([a-z_]+)"?/gi;
const REPO_WRITE = '(?:save|insert|update|delete|upsert|remove|softDelete|restore|increment|decrement)';

/** The text without its comments (prose such as "kept apart from lead_messages" is no read). */
function withoutComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/(?<=[;,{}()])\s*\/\/.*$/gm, '');
}

/** Every table access in one file's text. */
export function accessesIn(file: string, source: string, schema: Schema): Access[] {
  const module = moduleOf(file);
  const text = withoutComments(source);
  const out: Access[] = [];
  const add = (table: string | undefined, kind: Access['kind']) => {
    if (table && schema.owners.has(table)) out.push({ table, module, file: relative(ROOT, file), kind });
  };
  for (const m of text.matchAll(SQL_WRITE)) add(m[1].toLowerCase(), 'write');
  for (const m of text.matchAll(SQL_READ)) add(m[1].toLowerCase(), 'read');
  // @InjectRepository(Entity) private readonly name: Repository<Entity>
  for (const m of text.matchAll(/@InjectRepository\((\w+)\)\s*(?:private|protected|public)?\s*(?:readonly\s+)?(\w+)/g)) {
    const table = schema.tables.get(m[1]);
    add(table, 'read');
    if (new RegExp(`this\\.${m[2]}\\s*\\.\\s*${REPO_WRITE}\\(`).test(text)) add(table, 'write');
    if (new RegExp(`this\\.${m[2]}\\s*\\.\\s*createQueryBuilder\\([^)]*\\)\\s*\\.\\s*(?:insert|update|delete)\\(`).test(text)) add(table, 'write');
  }
  // TypeOrmModule.forFeature([Entity, ...]): a module that registers a repository for an entity reads its table.
  for (const m of text.matchAll(/forFeature\(\s*\[([^\]]*)\]/g)) for (const entity of m[1].split(',')) add(schema.tables.get(entity.trim()), 'read');
  // manager.save(Entity, ...), manager.getRepository(Entity).update(...), qb.insert().into(Entity), qb.update(Entity)
  for (const [entity, table] of schema.tables) {
    const e = `\\b${entity}\\b`;
    if (new RegExp(`\\.${REPO_WRITE}\\(\\s*${e}`).test(text)) add(table, 'write');
    if (new RegExp(`getRepository\\(\\s*${e}\\s*\\)\\s*\\.\\s*${REPO_WRITE}\\(`).test(text)) add(table, 'write');
    if (new RegExp(`\\.into\\(\\s*${e}`).test(text) || new RegExp(`\\.update\\(\\s*${e}\\s*\\)\\s*\\.\\s*set\\(`).test(text)) add(table, 'write');
    if (new RegExp(`getRepository\\(\\s*${e}\\s*\\)`).test(text)) add(table, 'read');
    // manager.findOne(Entity, ...), manager.findOneByOrFail(Entity, ...), manager.count(Entity, ...)
    if (new RegExp(`\\.(?:find\\w*|count\\w*|exists\\w*|sum|average|minimum|maximum)\\(\\s*${e}\\b`).test(text)) add(table, 'read');
  }
  return out;
}

export function scanSource(): { schema: Schema; accesses: Access[] } {
  const schema = readSchema();
  const accesses = files(SRC).flatMap((file) => accessesIn(file, readFileSync(file, 'utf8'), schema));
  return { schema, accesses };
}

/** "table <- module: file" for every access of `kind` by a module that does not own the table. */
export function foreignAccesses(accesses: Access[], schema: Schema, kind: Access['kind']): string[] {
  const seen = new Set<string>();
  for (const a of accesses) {
    if (a.kind === kind && schema.owners.get(a.table) !== a.module) seen.add(`${a.table} <- ${a.module}: ${a.file}`);
  }
  return [...seen].sort();
}

export function foreignWrites(accesses: Access[], schema: Schema): string[] {
  return foreignAccesses(accesses, schema, 'write');
}
