import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Replaces `target` with `content` atomically: a hidden temporary file in the
 * same directory (`.name.<pid>.<random>.tmp`, which the manifest ignores), flushed
 * to disk, then renamed over the target. A reader sees the old file or the new
 * one, never half of one; on failure the temporary file is removed.
 */
export async function writeFileAtomic(target: string, content: string): Promise<void> {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
