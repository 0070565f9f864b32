// @hybridoc/core: the public API. The CLI and embedding services import from here only.
export { HYBRIDOC_VERSION } from './version.js';
export { HybridocError, inputError } from './util/errors.js';
export { logger, configureLogging, type Logger } from './util/logger.js';
export { configDir, configPath } from './util/paths.js';
export {
  loadLabelSchema,
  parseLabelSchema,
  buildLabelSchema,
  defaultLabelSchemaPath,
  schemaSummary,
  repairBio,
  OUTSIDE_GROUP_NAME,
  type LabelSchema,
  type EntityDef,
  type GroupDef,
  type Carrier,
  type CarrierKind,
} from './schema/label-schema.js';
export type { Box, Word, Page, InvoiceDocument } from './documents/document.js';
// runtime: sessions over onnxruntime-node / onnxruntime-web
export * from './runtime/index.js';
