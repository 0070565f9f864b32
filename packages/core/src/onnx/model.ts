/** A checked ModelProto from a main graph: IR 8, opset 17 (default domain only), hybridoc metadata. */
import { HYBRIDOC_VERSION } from '../version.js';
import { assertValidModel } from './checker.js';
import type { GraphBuilder } from './graph-builder.js';
import { onnx } from './onnx-proto.js';
import { IR_VERSION, OPSET_VERSION } from './opset.js';

export interface ModelOptions {
  /** Hash of the label schema the graph was built for (metadata key `schema_hash`). */
  schemaHash?: string;
  /** Model preset name (metadata key `preset`). */
  preset?: string;
  /** Further metadata_props entries. */
  metadata?: Record<string, string>;
  docString?: string;
  /** Skip the structural checker (only for tests of the checker itself). */
  skipCheck?: boolean;
}

/** Metadata keys hybridoc writes into every model. */
export const METADATA_KEYS = { version: 'hybridoc_version', schemaHash: 'schema_hash', preset: 'preset' } as const;

export function buildModel(graph: GraphBuilder, options: ModelOptions = {}): onnx.ModelProto {
  const metadata: Record<string, string> = { [METADATA_KEYS.version]: HYBRIDOC_VERSION };
  if (options.schemaHash) metadata[METADATA_KEYS.schemaHash] = options.schemaHash;
  if (options.preset) metadata[METADATA_KEYS.preset] = options.preset;
  Object.assign(metadata, options.metadata ?? {});
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'hybridoc',
    producerVersion: HYBRIDOC_VERSION,
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    graph: graph.toGraphProto(),
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    ...(options.docString ? { docString: options.docString } : {}),
  });
  if (!options.skipCheck) assertValidModel(model);
  return model;
}

/** The model's metadata_props as a record. */
export function modelMetadata(model: onnx.IModelProto): Record<string, string> {
  return Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
}
