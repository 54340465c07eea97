import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

// Raw SQL rows are read by typed row mappers (src/database/sql-row.ts), never asserted into a
// shape (issue #14): `manager.query()` answers `any`, so `query<Row[]>()`, `(await query()) as Row[]`
// and `const rows: Row[] = await query()` are all unchecked casts. This reads src/ and fails on any.

const SRC = join(process.cwd(), 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return files(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const isQueryCall = (node: ts.CallExpression): boolean =>
  (ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'query') ||
  (ts.isIdentifier(node.expression) && node.expression.text === 'queryPrepared');

/** Where the result of a query goes once awaited (or chained): the node that would assert its type. */
function consumer(node: ts.Node): ts.Node {
  let at: ts.Node = node;
  while (ts.isAwaitExpression(at.parent) || ts.isParenthesizedExpression(at.parent)) at = at.parent;
  return at.parent;
}

const UNTYPED_ROW = new Set(['Row', 'Record<string, unknown>']);

const isUnknown = (type: ts.TypeNode | undefined) => type === undefined || type.kind === ts.SyntaxKind.UnknownKeyword;

export function uncheckedRowReads(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node, what: string) =>
    found.push(`${relative(process.cwd(), file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${what}`);
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && isQueryCall(node)) {
      // The one allowed type argument: pg's rows left untyped (prepared-statement.ts's Row).
      if (node.typeArguments?.some((t) => !UNTYPED_ROW.has(t.getText()))) report(node, 'query<T>()');
      const parent = consumer(node);
      if (ts.isAsExpression(parent)) report(parent, 'query result cast with as');
      if (ts.isVariableDeclaration(parent) && !isUnknown(parent.type)) report(parent, 'query result annotated');
      // query(...).then((rows: T) => ...)
      if (ts.isPropertyAccessExpression(parent) && parent.name.text === 'then' && ts.isCallExpression(parent.parent)) {
        const [callback] = parent.parent.arguments;
        if (callback && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) && !isUnknown(callback.parameters[0]?.type))
          report(callback, 'query result annotated in then()');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('SQL rows', () => {
  it('should read every raw query result through a row mapper, never a type assertion', () => {
    expect(files(SRC).flatMap((file) => uncheckedRowReads(file, readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('should see each way of asserting a row type', () => {
    const code = `
      async function f(m: any) {
        const a: Array<{ n: number }> = await m.query('SELECT 1');
        const b = (await m.query('SELECT 1')) as Row[];
        const c = await m.query<Row[]>('SELECT 1');
        const d = await client.query<Record<string, unknown>>(config);
        await m.query('SELECT 1').then((rows: Row[]) => rows);
        const ok: unknown = await m.query('SELECT 1');
        return mapRows(await m.query('SELECT 1'), toRow);
      }`;
    expect(uncheckedRowReads(join(SRC, 'example.ts'), code).map((r) => r.replace(/^\S+:\d+ /, ''))).toEqual([
      'query result annotated',
      'query result cast with as',
      'query<T>()',
      'query result annotated in then()',
    ]);
  });
});
