import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// src/common/ is cross-cutting glue that every module may use; it never depends on a feature
// module (issue #14: the health check read the realtime module, business hours the tenants'
// types). A feature that common needs to know of registers itself (ReadinessProbes, ShutdownService)
// or provides a port (API_KEY_AUTHENTICATOR).

const COMMON = join(process.cwd(), 'src', 'common');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return files(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('Layering', () => {
  it('should keep src/common free of imports from feature modules', () => {
    const offending = files(COMMON).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '((?:\.\.\/)+modules\/[^']+)'/g)].map((m) => `${relative(process.cwd(), file)} -> ${m[1]}`),
    );
    expect(offending).toEqual([]);
  });
});
