/**
 * A label schema as the YAML document it came from (groups, entities, `additions:`), so a model can carry
 * its schema in its manifest and add-label can append an entity and derive the next schema. The round trip
 * keeps label ids, group membership and the schema hash.
 */
import { stringify as toYaml } from 'yaml';
import { buildLabelSchema, OUTSIDE_GROUP_NAME, type EntityDef, type LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';

export const SCHEMA_DOCUMENT_FORMAT = 'hybridoc-labels/1';

type Doc = Record<string, unknown>;

function entityDocument(s: LabelSchema, e: EntityDef): Doc {
  const d: Doc = { name: e.name };
  if (e.description) d.description = e.description;
  const all = e.domains.length === s.domains.length && s.domains.every((x) => e.domains.includes(x));
  d.domains = all ? ['all'] : [...e.domains];
  if (e.carrier.kind !== 'text') d.carrier = e.carrier.kind;
  if (e.carrier.token !== undefined) d.token = e.carrier.token;
  return d;
}

/** The schema as a plain document buildLabelSchema() reads back to the same labels and hash. */
export function labelSchemaDocument(s: LabelSchema): Doc {
  const groups = s.groups
    .filter((g) => g.id !== s.outsideGroup)
    .map((g) => {
      const d: Doc = { name: g.name };
      if (g.description) d.description = g.description;
      d.entities = g.entities.filter((e) => !s.entities[e].added).map((e) => entityDocument(s, s.entities[e]));
      return d;
    });
  const additions = s.entities.filter((e) => e.added).map((e) => ({ ...entityDocument(s, e), group: s.groups[e.group].name }));
  return { schema: SCHEMA_DOCUMENT_FORMAT, name: s.name, domains: [...s.domains], groups, ...(additions.length ? { additions } : {}) };
}

/** The schema document as YAML text. */
export function labelSchemaYaml(s: LabelSchema): string {
  return toYaml(labelSchemaDocument(s), { lineWidth: 0 });
}

/** Rebuilds a schema from its document (as stored in a manifest); `file` labels errors. */
export function labelSchemaFromDocument(doc: unknown, file = '<manifest labelSchema>'): LabelSchema {
  return buildLabelSchema(doc, file);
}

export interface EntityAddition {
  /** UPPER_SNAKE_CASE entity name, new to the schema */
  entity: string;
  /** name of an existing entity group (not the outside group) */
  group: string;
  description?: string;
  domains?: string[];
}

/** The schema with one entity appended under `additions:`: its B- and I- labels take the next two ids. */
export function schemaWithEntity(s: LabelSchema, a: EntityAddition): LabelSchema {
  if (a.group === OUTSIDE_GROUP_NAME)
    throw new HybridocError(`add-label: group: "${OUTSIDE_GROUP_NAME}" holds only O; name an entity group`);
  if (!s.groupIndex.has(a.group)) {
    const known = s.groups.filter((g) => g.id !== s.outsideGroup).map((g) => g.name);
    throw new HybridocError(`add-label: group: unknown group "${a.group}" (groups: ${known.join(', ')})`);
  }
  if (s.entityIndex.has(a.entity)) throw new HybridocError(`add-label: entity: "${a.entity}" is already in the schema`);
  const doc = labelSchemaDocument(s);
  const additions = [...((doc.additions as Doc[] | undefined) ?? [])];
  const entry: Doc = { name: a.entity, group: a.group };
  if (a.description) entry.description = a.description;
  entry.domains = a.domains ?? ['all'];
  additions.push(entry);
  const next = buildLabelSchema({ ...doc, additions }, `${s.file} + ${a.entity}`);
  for (let l = 0; l < s.numLabels; l++) {
    if (next.labels[l] !== s.labels[l] || next.labelToGroup[l] !== s.labelToGroup[l]) {
      throw new HybridocError(`add-label: internal error: label ${l} moved when appending ${a.entity}`);
    }
  }
  return next;
}
