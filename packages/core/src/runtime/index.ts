export * from './tensor.js';
export type { Backend, Session, SessionOptions, ProviderName, GraphOptimization } from './backend.js';
export { createSession, registerBackend, getBackend, listBackends, type BackendName } from './registry.js';
