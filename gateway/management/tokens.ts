import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeConfigIssues } from '../repository/model-config.ts';

/**
 * Access tokens for the control plane (and, optionally, inference).
 * Scopes: `read` (repository index, stats, config), `load` (load/unload),
 * `traffic` (traffic policy and rollouts), `infer` (inference, when required).
 */
export const SCOPES = ['read', 'load', 'traffic', 'infer'] as const;
export type Scope = (typeof SCOPES)[number];

const tokenSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'expected 1-64 of [A-Za-z0-9_.@-]'),
  /** Hex sha256 of the secret (preferred: the file then holds no secret). */
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits').optional(),
  /** The secret itself, at least 16 characters (for development). */
  token: z.string().min(16, 'expected at least 16 characters').optional(),
  scopes: z.array(z.enum(SCOPES)).min(1),
}).refine((t) => (t.sha256 === undefined) !== (t.token === undefined), 'give exactly one of sha256 or token');

const fileSchema = z.strictObject({ tokens: z.array(tokenSchema).min(1) });

export interface Principal {
  name: string;
  scopes: ReadonlySet<Scope>;
}

interface StoredToken extends Principal {
  digest: Buffer;
}

export class TokenStore {
  private tokens: readonly StoredToken[] = [];

  /** Replaces the tokens with a YAML or JSON tokens file's; throws an Error naming the bad field. */
  async loadFile(file: string): Promise<void> {
    let raw: unknown;
    try {
      raw = parseYaml(await readFile(file, 'utf8'));
    } catch (error) {
      throw new Error(`management tokens file cannot be read as YAML/JSON: ${(error as Error).message.split('\n')[0]}`);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`management tokens file: ${describeConfigIssues(parsed.error)}`);
    const names = new Set<string>();
    this.tokens = parsed.data.tokens.map((t) => {
      if (names.has(t.name)) throw new Error(`management tokens file: token name "${t.name}" is used twice`);
      names.add(t.name);
      const digest = t.sha256 !== undefined ? Buffer.from(t.sha256, 'hex') : sha256(t.token!);
      return { name: t.name, scopes: new Set(t.scopes), digest };
    });
  }

  get configured(): boolean {
    return this.tokens.length > 0;
  }

  /**
   * The principal a presented secret belongs to, or undefined. Compares digests
   * in constant time and always walks every token, so timing says nothing about which matched.
   */
  authenticate(secret: string): Principal | undefined {
    const digest = sha256(secret);
    let found: StoredToken | undefined;
    for (const token of this.tokens) if (timingSafeEqual(token.digest, digest) && found === undefined) found = token;
    return found;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
