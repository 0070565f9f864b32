/**
 * The backend interface: one adapter per ONNX Runtime binding (onnxruntime-node, onnxruntime-web), each in
 * its own file and the only place that imports that binding. Backends register themselves in the registry
 * (registry.ts); callers ask for a session by backend and provider name.
 */
import type { HostTensor } from './tensor.js';

/** Execution providers by the names users type. */
export type ProviderName = 'cpu' | 'cuda' | 'webgpu' | 'wasm';

export type GraphOptimization = 'disabled' | 'basic' | 'extended' | 'all';

export interface SessionOptions {
  /** execution provider (default: cpu on node, wasm on web) */
  provider?: ProviderName;
  /** threads inside one op (default: ORT's choice, the number of cores) */
  intraOpThreads?: number;
  interOpThreads?: number;
  /** graph optimisation level (default: all; use disabled for float64 exactness checks) */
  optimization?: GraphOptimization;
  /** label used in error messages, e.g. the file name */
  label?: string;
}

export interface Session {
  readonly backend: string;
  readonly provider: ProviderName;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Run with named feeds; fetch the named outputs (default: all). */
  run(feeds: Record<string, HostTensor>, fetches?: readonly string[]): Promise<Record<string, HostTensor>>;
  release(): Promise<void>;
}

export interface Backend {
  readonly name: string;
  /** providers this backend can try */
  readonly providers: readonly ProviderName[];
  createSession(model: Uint8Array | string, options: SessionOptions): Promise<Session>;
}
