import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The repository's config/ directory (label schema, domains, model presets). Overridable with
 * HYBRIDOC_CONFIG_DIR. Works from src/ (tests) and dist/ (built) alike: both sit at the same depth.
 */
export function configDir(): string {
  const env = process.env.HYBRIDOC_CONFIG_DIR;
  if (env) return resolve(env);
  for (const candidate of [resolve(here, '../../../../config'), resolve(here, '../../config')]) {
    if (existsSync(resolve(candidate, 'labels.yaml'))) return candidate;
  }
  return resolve(here, '../../../../config');
}

export function configPath(...parts: string[]): string {
  return resolve(configDir(), ...parts);
}
