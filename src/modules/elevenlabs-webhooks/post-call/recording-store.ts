import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { isValidConversationId } from './post-call-payload.js';

const PENDING = '_pending';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface StoredRecording {
  /** Relative to RECORDINGS_DIR. */
  file: string;
  bytes: number;
}

/**
 * Post-call MP3s on disk: `<RECORDINGS_DIR>/<tenant>/<conversation>.mp3`. The webhook writes the
 * file under `_pending/` (the tenant is not known yet) and processing moves it once the call is
 * matched. Every instance must see the same directory (shared volume) when there are several.
 * Paths are only ever built from validated ids, never from raw input.
 */
@Injectable()
export class RecordingStore {
  readonly root: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.root = resolve(config.elevenlabs.postCall.recordingsDir);
  }

  async savePending(conversationId: string, base64Audio: string): Promise<StoredRecording> {
    assertConversationId(conversationId);
    const audio = Buffer.from(base64Audio, 'base64');
    if (audio.length === 0) throw new Error('full_audio is empty');
    const file = join(PENDING, `${conversationId}.mp3`);
    await this.writeAtomically(join(this.root, file), audio);
    return { file, bytes: audio.length };
  }

  /** Moves a pending recording to its tenant's folder; a second call (a retry) finds it already there. */
  async promote(pending: StoredRecording, tenantId: string, conversationId: string): Promise<StoredRecording> {
    assertConversationId(conversationId);
    if (!UUID.test(tenantId)) throw new Error('tenant id is not a uuid');
    const file = join(tenantId, `${conversationId}.mp3`);
    const target = join(this.root, file);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(join(this.root, PENDING, `${conversationId}.mp3`), target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await stat(target); // already moved by an earlier attempt, or lost: then ENOENT fails the attempt
    }
    return { file, bytes: pending.bytes };
  }

  /** Deletes staged recordings no call ever claimed (their inbox rows stay, marked unmatched). */
  async prunePending(olderThanMs: number, now = Date.now()): Promise<number> {
    const dir = join(this.root, PENDING);
    const names = await readdir(dir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (
        info &&
        now - info.mtimeMs > olderThanMs &&
        (await unlink(path).then(
          () => true,
          () => false,
        ))
      )
        removed++;
    }
    return removed;
  }

  absolute(file: string): string {
    return join(this.root, file);
  }

  private async writeAtomically(path: string, data: Buffer): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, data);
      await rename(temporary, path);
    } catch (err) {
      await unlink(temporary).catch(() => undefined);
      throw err;
    }
  }
}

function assertConversationId(id: string): void {
  if (!isValidConversationId(id)) throw new Error('conversation id is malformed');
}
