import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../../../config/app-config.js';
import { RecordingStore } from './recording-store.js';

const TENANT = '0b8f8a52-3c55-4d4e-9a4e-1f0c2f6c1a11';

describe(RecordingStore.name, () => {
  const root = mkdtempSync(join(tmpdir(), 'recordings-'));
  const store = new RecordingStore({ elevenlabs: { postCall: { recordingsDir: root } } } as unknown as AppConfig);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('should stage a recording, move it to its tenant once, and find it there on a retry', async () => {
    const audio = Buffer.from('ID3 fake mp3 bytes');
    const pending = await store.savePending('conv_abc', audio.toString('base64'));
    expect(pending).toEqual({ file: join('_pending', 'conv_abc.mp3'), bytes: audio.length });
    const stored = await store.promote(pending, TENANT, 'conv_abc');
    expect(stored.file).toBe(join(TENANT, 'conv_abc.mp3'));
    expect(readFileSync(store.absolute(stored.file)).equals(audio)).toBe(true);
    await expect(store.promote(pending, TENANT, 'conv_abc')).resolves.toEqual(stored);
    await expect(store.promote(pending, TENANT, 'conv_never_stored')).rejects.toThrow(/ENOENT/);
  });

  it.each([
    ['../etc/passwd', TENANT],
    ['conv_ok', '../../x'],
  ])('should refuse path-like ids %s / %s', async (conversationId, tenantId) => {
    await expect(store.promote({ file: 'x', bytes: 1 }, tenantId, conversationId)).rejects.toThrow();
    await expect(store.savePending('a/b', 'AAAA')).rejects.toThrow();
  });

  it('should prune staged files only once they are old', async () => {
    await store.savePending('conv_old', 'AAAA');
    await store.savePending('conv_new', 'AAAA');
    const old = (Date.now() - 8 * 86_400_000) / 1000;
    utimesSync(join(root, '_pending', 'conv_old.mp3'), old, old);
    expect(await store.prunePending(7 * 86_400_000)).toBe(1);
    expect(existsSync(join(root, '_pending', 'conv_new.mp3'))).toBe(true);
  });
});
