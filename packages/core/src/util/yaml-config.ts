/**
 * What the YAML config loaders share (model presets, training configs, the label schema): reading a file,
 * parsing YAML with a one-line error, and the small key and value checks. Every failure is one HybridocError
 * line `FILE: KEY: problem`; `fail` callbacks let each loader name the file a key came from.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { HybridocError, inputError } from './errors.js';

export type ConfigMapping = Record<string, unknown>;

/** Throws the error for `key` (prefix included). */
export type ConfigFail = (key: string, problem: string) => never;

export function isMapping(v: unknown): v is ConfigMapping {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a value reads in an error message: `null`, `a list`, `a mapping`, or its type and JSON. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`;
}

/** A config file's text; `what` names the kind of file in the error ("model config"). */
export function readConfigText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new HybridocError(`${file}: cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** Parsed YAML; a syntax error is one line `FILE: not valid YAML: ...` (its first line). */
export function parseYamlText(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw inputError(file, undefined, `not valid YAML: ${msg}`);
  }
}

export interface ReadConfigOptions {
  /** parse a file named *.json as JSON (default: every file is YAML) */
  json?: boolean;
  /** an empty document reads as an empty mapping (default: it is an error) */
  emptyIsMapping?: boolean;
}

/** Read a config file whose top level must be a mapping; `what` names the kind of file in errors. */
export function readConfigMapping(file: string, what: string, options: ReadConfigOptions = {}): ConfigMapping {
  const text = readConfigText(file, what);
  let raw: unknown;
  if (options.json && extname(file).toLowerCase() === '.json') {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw inputError(file, undefined, `not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else {
    raw = parseYamlText(text, file);
  }
  if (options.emptyIsMapping && (raw === null || raw === undefined)) raw = {};
  if (!isMapping(raw)) throw inputError(file, undefined, `expected a mapping at the top level, got ${typeName(raw)}`);
  return raw;
}

/** Every key of `s` must be in `known`; `prefix` ("training.") names the keys in messages. */
export function checkKnownKeys(s: ConfigMapping, known: readonly string[], prefix: string, fail: ConfigFail): void {
  for (const k of Object.keys(s)) if (!known.includes(k)) fail(prefix + k, `unknown key (known: ${known.join(', ')})`);
}

/** A safe integer of at least `min`. */
export function intValue(v: unknown, key: string, min: number, fail: ConfigFail): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(key, `expected an integer, got ${typeName(v)}`);
  if ((v as number) < min) fail(key, `must be at least ${min}, got ${v}`);
  return v as number;
}

/** A finite number. */
export function numValue(v: unknown, key: string, fail: ConfigFail): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(key, `expected a number, got ${typeName(v)}`);
  return v as number;
}

export function boolValue(v: unknown, key: string, fail: ConfigFail): boolean {
  if (typeof v !== 'boolean') fail(key, `expected true or false, got ${typeName(v)}`);
  return v as boolean;
}
