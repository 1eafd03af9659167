import { appendFileSync } from 'node:fs';
import type { Logger } from 'pino';

/** One management action: who did what to which model, and how it ended. */
export interface AuditEntry {
  /** Token name; "anonymous" without credentials, "unknown" with a wrong one. */
  who: string;
  action: string;
  model?: string;
  result: 'ok' | 'denied' | 'refused' | 'failed';
  detail?: string;
  remote?: string;
}

/**
 * Append-only audit trail of the control plane, as JSON lines (one object per
 * action, with its time). Also logged through pino. Writes are synchronous and
 * appended (O_APPEND): an entry is on disk before the response leaves, and
 * lines of concurrent writers never interleave.
 */
export class AuditLog {
  constructor(private readonly file: string | undefined, private readonly log: Logger) {}

  record(entry: AuditEntry): void {
    const line = { time: new Date().toISOString(), ...entry };
    this.log.info({ audit: line }, 'management action');
    if (this.file !== undefined) appendFileSync(this.file, `${JSON.stringify(line)}\n`, { flag: 'a' });
  }
}
