/**
 * Backends by name. `node` (onnxruntime-node: cpu, cuda, webgpu) is the default; `web` (onnxruntime-web,
 * WebAssembly) runs the same graphs anywhere.
 */
import { HybridocError } from '../util/errors.js';
import type { Backend, Session, SessionOptions } from './backend.js';
import { onnxruntimeNodeBackend } from './onnxruntime-node-backend.js';
import { onnxruntimeWebBackend } from './onnxruntime-web-backend.js';

export type BackendName = 'node' | 'web';

const backends = new Map<string, Backend>();

export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

export function getBackend(name: string = 'node'): Backend {
  const b = backends.get(name);
  if (!b) throw new HybridocError(`unknown backend '${name}' (known: ${[...backends.keys()].join(', ')})`);
  return b;
}

export function listBackends(): Array<{ name: string; providers: readonly string[] }> {
  return [...backends.values()].map((b) => ({ name: b.name, providers: b.providers }));
}

/** Create a session on a backend (default node) with an execution provider (default that backend's first). */
export async function createSession(model: Uint8Array | string, options: SessionOptions & { backend?: string } = {}): Promise<Session> {
  const backend = getBackend(options.backend ?? (options.provider === 'wasm' ? 'web' : 'node'));
  const provider = options.provider ?? backend.providers[0];
  if (!backend.providers.includes(provider)) {
    throw new HybridocError(
      `${options.label ? options.label + ': ' : ''}execution provider '${provider}' is not available on backend '${backend.name}' (it offers: ${backend.providers.join(', ')})`,
    );
  }
  return backend.createSession(model, { ...options, provider });
}

registerBackend(onnxruntimeNodeBackend);
registerBackend(onnxruntimeWebBackend);
