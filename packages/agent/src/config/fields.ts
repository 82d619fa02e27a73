import { isAbsolute, resolve } from 'node:path';
import type { FieldIssue } from '@cairn/core';

/** A JSON object as read from the configuration file. */
export type JsonObject = Readonly<Record<string, unknown>>;

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads typed fields out of untrusted JSON, collecting one issue per bad field so that
 * validation reports every problem at once (not just the first).
 */
export class FieldReader {
  readonly issues: FieldIssue[] = [];
  constructor(private readonly baseDir: string) {}

  bad(path: string, problem: string): void {
    this.issues.push({ path, problem });
  }

  /**
   * Record an issue and give `undefined` (the field's value is unusable). Typed `T | undefined`
   * so that `return r.none(...)` reads as a value, not a void expression.
   */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  none<T = never>(path: string, problem: string): T | undefined {
    this.bad(path, problem);
    return undefined;
  }

  object(v: unknown, path: string, required = true): JsonObject | undefined {
    if (v === undefined) return required ? this.none(path, 'is required') : undefined;
    return isObject(v) ? v : this.none(path, 'must be an object');
  }

  /** Flags keys the schema does not know (a typo must not silently disable a setting). */
  known(o: JsonObject, path: string, keys: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!keys.includes(k)) {
        this.bad(`${path}.${k}`, `is not a known setting (expected one of: ${keys.join(', ')})`);
      }
    }
  }

  string(v: unknown, path: string, required = true): string | undefined {
    if (v === undefined) return required ? this.none(path, 'is required') : undefined;
    if (typeof v !== 'string' || v === '') return this.none(path, 'must be a non-empty string');
    if (v.length > 4096) return this.none(path, 'is longer than 4096 characters');
    return v;
  }

  /** A path; relative paths are resolved against the configuration file's directory. */
  path(v: unknown, path: string, required = true): string | undefined {
    const s = this.string(v, path, required);
    if (s === undefined) return undefined;
    if (s.includes('\0')) return this.none(path, 'contains a NUL character');
    return isAbsolute(s) ? s : resolve(this.baseDir, s);
  }

  integer(
    v: unknown,
    path: string,
    min: number,
    max: number,
    fallback?: number,
  ): number | undefined {
    if (v === undefined) return fallback ?? this.none(path, 'is required');
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      return this.none(path, `must be an integer from ${min} to ${max}`);
    }
    return v;
  }

  boolean(v: unknown, path: string, fallback: boolean): boolean {
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') {
      this.none(path, 'must be true or false');
      return fallback;
    }
    return v;
  }

  list<T>(
    v: unknown,
    path: string,
    item: (x: unknown, p: string) => T | undefined,
    maxItems = 64,
  ): T[] {
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.none(path, 'must be a list');
      return [];
    }
    if (v.length > maxItems) {
      this.none(path, `has more than ${maxItems} entries`);
      return [];
    }
    return v
      .map((x: unknown, i) => item(x, `${path}[${i}]`))
      .filter((x): x is T => x !== undefined);
  }

  /** One of a fixed set of strings. */
  choice<T extends string>(v: unknown, path: string, choices: readonly T[]): T | undefined {
    if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
    return this.none(path, `must be one of: ${choices.join(', ')}`);
  }
}
