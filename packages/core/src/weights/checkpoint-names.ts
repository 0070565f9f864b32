/**
 * Checkpoint names. Backbone parameters keep the Hugging Face state-dict names of a LayoutLMv3 task model
 * (`layoutlmv3.embeddings.word_embeddings.weight`, ...), so an HF checkpoint maps one to one; our heads
 * live under `heads.` (see model/parameters.ts). Bare `LayoutLMv3Model` files omit the `layoutlmv3.`
 * prefix; both forms are accepted on import. Some files also hold the int64 `embeddings.position_ids`
 * buffer (an arange, not a parameter), which is ignored.
 */

export const BACKBONE_PREFIX = 'layoutlmv3.';

/** Buffers some HF files store that are not parameters (names without the prefix). */
export const IGNORED_HF_BUFFERS: readonly string[] = ['embeddings.position_ids'];

/** Prefix for our head parameters. */
export const HEADS_PREFIX = 'heads.';

/** A backbone name without the leading `layoutlmv3.`, as a bare LayoutLMv3Model state dict has it. */
export function bareBackboneName(name: string): string {
  return name.startsWith(BACKBONE_PREFIX) ? name.slice(BACKBONE_PREFIX.length) : name;
}

/** Our checkpoint name for a backbone tensor named either way. */
export function backboneCheckpointName(name: string): string {
  return BACKBONE_PREFIX + bareBackboneName(name);
}

/** True for the non-parameter buffers an HF file may carry, named either way. */
export function isIgnoredHfBuffer(name: string): boolean {
  return IGNORED_HF_BUFFERS.includes(bareBackboneName(name));
}
