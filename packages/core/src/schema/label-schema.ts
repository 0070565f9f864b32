/**
 * The label schema: entity groups, entities and the BIO labels derived from them.
 *
 * Label ids: O = 0, then B-X, I-X for each entity in group order, then entities added later
 * (`additions:`, written by add-label) in the order they were added. Ids are append-only.
 * Group membership is an index map (label -> group), never an id range. The outside label O
 * forms its own group, the last one, so the group head has (entity groups + 1) classes.
 */
import { createHash } from 'node:crypto';
import { inputError } from '../util/errors.js';
import { configPath } from '../util/paths.js';
import { isMapping, parseYamlText, readConfigText, type ConfigMapping } from '../util/yaml-config.js';

/** How an entity appears on the page as "words". */
export type CarrierKind = 'text' | 'qr' | 'graphic';

export interface Carrier {
  /** text: printed words. qr: one word whose text is the decoded payload and whose box is the symbol.
   *  graphic: one word whose text is `token` and whose box bounds the drawn shape. */
  kind: CarrierKind;
  token?: string;
}

export interface EntityDef {
  name: string;
  id: number;
  group: number;
  description: string;
  domains: string[];
  carrier: Carrier;
  /** true for entities appended after the base schema (add-label). */
  added: boolean;
}

export interface GroupDef {
  name: string;
  id: number;
  description: string;
  /** entity ids, in label-id order */
  entities: number[];
}

export interface LabelSchema {
  file: string;
  name: string;
  /** stable hash of everything that decides label ids and group membership */
  hash: string;
  domains: string[];
  /** entity groups, then the outside group last */
  groups: GroupDef[];
  entities: EntityDef[];
  labels: string[];
  labelIndex: Map<string, number>;
  entityIndex: Map<string, number>;
  groupIndex: Map<string, number>;
  /** label id -> entity id, -1 for O */
  labelToEntity: Int32Array;
  /** label id -> group id; O maps to the outside group */
  labelToGroup: Int32Array;
  /** entity id -> [B label id, I label id] */
  bioPairs: Array<[number, number]>;
  /** label ids per group (the outside group holds O) */
  groupLabels: number[][];
  /** id of the outside group (= number of entity groups) */
  outsideGroup: number;
  numLabels: number;
  numEntities: number;
  /** entity groups + 1 (outside) */
  numGroupClasses: number;
}

export const OUTSIDE_GROUP_NAME = 'outside';
const ENTITY_NAME = /^[A-Z][A-Z0-9_]*$/;
const GROUP_NAME = /^[a-z][a-z0-9_]*$/;
const TOP_KEYS = ['schema', 'name', 'description', 'domains', 'groups', 'additions'];
const GROUP_KEYS = ['name', 'description', 'entities'];
const ENTITY_KEYS = ['name', 'description', 'domains', 'carrier', 'token'];
const ADDITION_KEYS = ['name', 'description', 'domains', 'group', 'carrier', 'token'];

export function defaultLabelSchemaPath(): string {
  return configPath('labels.yaml');
}

/** Read, validate and derive a schema from a YAML file. Bad files throw one clear line. */
export function loadLabelSchema(path: string = defaultLabelSchemaPath()): LabelSchema {
  return parseLabelSchema(readConfigText(path, 'label schema'), path);
}

export function parseLabelSchema(text: string, file = '<labels>'): LabelSchema {
  return buildLabelSchema(parseYamlText(text, file), file);
}

type Obj = ConfigMapping;

/** Validate a parsed schema document and derive every map. */
export function buildLabelSchema(raw: unknown, file = '<labels>'): LabelSchema {
  const fail = (key: string | undefined, problem: string): never => {
    throw inputError(file, key, problem);
  };
  if (!isMapping(raw)) fail(undefined, 'expected a mapping at the top level');
  const doc = raw as Obj;
  checkKeys(doc, TOP_KEYS, '', fail);
  const name = str(doc.name, 'name', fail);
  const domains = strList(doc.domains, 'domains', fail);
  if (domains.length === 0) fail('domains', 'must list at least one domain');
  dupCheck(domains, 'domains', 'domain', fail);
  if (!Array.isArray(doc.groups)) fail('groups', `expected a list, got ${typeName(doc.groups)}`);
  const rawGroups = doc.groups as unknown[];
  if (rawGroups.length === 0) fail('groups', 'must list at least one group');

  const groups: GroupDef[] = [];
  const entities: EntityDef[] = [];
  const groupIndex = new Map<string, number>();
  const entityIndex = new Map<string, number>();
  const entityWhere = new Map<string, string>();

  const addEntity = (e: Obj, key: string, group: number, added: boolean, allowed: string[]) => {
    checkKeys(e, allowed, key, fail);
    const ename = str(e.name, `${key}.name`, fail);
    if (!ENTITY_NAME.test(ename)) fail(`${key}.name`, `entity name "${ename}" must be UPPER_SNAKE_CASE`);
    if (entityIndex.has(ename)) fail(`${key}.name`, `duplicate entity "${ename}" (first at ${entityWhere.get(ename)})`);
    const description = e.description === undefined ? '' : str(e.description, `${key}.description`, fail);
    let edomains = e.domains === undefined ? ['all'] : strList(e.domains, `${key}.domains`, fail);
    if (edomains.length === 0) fail(`${key}.domains`, 'must list at least one domain (or "all")');
    if (edomains.includes('all')) edomains = [...domains];
    for (const d of edomains) if (!domains.includes(d)) fail(`${key}.domains`, `unknown domain "${d}" (known: ${domains.join(', ')})`);
    const kind = e.carrier === undefined ? 'text' : str(e.carrier, `${key}.carrier`, fail);
    if (kind !== 'text' && kind !== 'qr' && kind !== 'graphic') fail(`${key}.carrier`, `must be text, qr or graphic, got "${kind}"`);
    const carrier: Carrier = { kind: kind as CarrierKind };
    if (e.token !== undefined) carrier.token = str(e.token, `${key}.token`, fail);
    if (kind === 'graphic' && !carrier.token) fail(`${key}.token`, 'a graphic carrier needs the token its word carries');
    const id = entities.length;
    entities.push({ name: ename, id, group, description, domains: edomains, carrier, added });
    entityIndex.set(ename, id);
    entityWhere.set(ename, key);
    groups[group].entities.push(id);
  };

  rawGroups.forEach((g, gi) => {
    const key = `groups[${gi}]`;
    if (!isMapping(g)) fail(key, `expected a mapping, got ${typeName(g)}`);
    const go = g as Obj;
    checkKeys(go, GROUP_KEYS, key, fail);
    const gname = str(go.name, `${key}.name`, fail);
    if (!GROUP_NAME.test(gname)) fail(`${key}.name`, `group name "${gname}" must be lower_snake_case`);
    if (gname === OUTSIDE_GROUP_NAME) fail(`${key}.name`, `"${OUTSIDE_GROUP_NAME}" is reserved for the O label's group`);
    if (groupIndex.has(gname)) fail(`${key}.name`, `duplicate group "${gname}"`);
    groupIndex.set(gname, gi);
    groups.push({
      name: gname,
      id: gi,
      description: go.description === undefined ? '' : str(go.description, `${key}.description`, fail),
      entities: [],
    });
    if (!Array.isArray(go.entities)) fail(`${key}.entities`, `expected a list, got ${typeName(go.entities)}`);
    const ents = go.entities as unknown[];
    if (ents.length === 0) fail(`${key}.entities`, `group "${gname}" is empty`);
    ents.forEach((e, ei) => {
      const ekey = `${key}.entities[${ei}]`;
      if (!isMapping(e)) fail(ekey, `expected a mapping, got ${typeName(e)}`);
      addEntity(e as Obj, ekey, gi, false, ENTITY_KEYS);
    });
  });

  if (doc.additions !== undefined && doc.additions !== null) {
    if (!Array.isArray(doc.additions)) fail('additions', `expected a list, got ${typeName(doc.additions)}`);
    (doc.additions as unknown[]).forEach((a, ai) => {
      const key = `additions[${ai}]`;
      if (!isMapping(a)) fail(key, `expected a mapping, got ${typeName(a)}`);
      const gname = str((a as Obj).group, `${key}.group`, fail);
      const gi = groupIndex.get(gname);
      if (gi === undefined) fail(`${key}.group`, `unknown group "${gname}"`);
      addEntity(a as Obj, key, gi as number, true, ADDITION_KEYS);
    });
  }

  return deriveSchema(file, name, domains, groups, entities, groupIndex, entityIndex);
}

function deriveSchema(
  file: string,
  name: string,
  domains: string[],
  entityGroups: GroupDef[],
  entities: EntityDef[],
  groupIndex: Map<string, number>,
  entityIndex: Map<string, number>,
): LabelSchema {
  const outsideGroup = entityGroups.length;
  const groups: GroupDef[] = [
    ...entityGroups,
    { name: OUTSIDE_GROUP_NAME, id: outsideGroup, description: 'The O label: tokens outside every entity.', entities: [] },
  ];
  // Labels follow entity ids: base entities in group order, then additions; entity ids already are that order.
  const labels = ['O'];
  const bioPairs: Array<[number, number]> = [];
  for (const e of entities) {
    bioPairs.push([labels.length, labels.length + 1]);
    labels.push(`B-${e.name}`, `I-${e.name}`);
  }
  const numLabels = labels.length;
  const labelToEntity = new Int32Array(numLabels).fill(-1);
  const labelToGroup = new Int32Array(numLabels).fill(outsideGroup);
  const groupLabels: number[][] = groups.map(() => []);
  groupLabels[outsideGroup].push(0);
  entities.forEach((e, i) => {
    const [b, ii] = bioPairs[i];
    labelToEntity[b] = i;
    labelToEntity[ii] = i;
    labelToGroup[b] = e.group;
    labelToGroup[ii] = e.group;
  });
  for (let l = 1; l < numLabels; l++) groupLabels[labelToGroup[l]].push(l);
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  groupIndex.set(OUTSIDE_GROUP_NAME, outsideGroup);
  const hash = createHash('sha256')
    .update(JSON.stringify({ labels, groups: groups.map((g) => g.name), labelToGroup: Array.from(labelToGroup) }))
    .digest('hex')
    .slice(0, 16);
  return {
    file,
    name,
    hash,
    domains,
    groups,
    entities,
    labels,
    labelIndex,
    entityIndex,
    groupIndex,
    labelToEntity,
    labelToGroup,
    bioPairs,
    groupLabels,
    outsideGroup,
    numLabels,
    numEntities: entities.length,
    numGroupClasses: groups.length,
  };
}

/** A plain-JSON view of a schema (for manifests and `hybridoc schema --json`). */
export function schemaSummary(s: LabelSchema) {
  return {
    name: s.name,
    hash: s.hash,
    numGroups: s.groups.length - 1,
    numGroupClasses: s.numGroupClasses,
    numEntities: s.numEntities,
    numLabels: s.numLabels,
    domains: s.domains,
    groups: s.groups.map((g) => ({
      id: g.id,
      name: g.name,
      entities: g.entities.map((e) => s.entities[e].name),
      labels: s.groupLabels[g.id].map((l) => s.labels[l]),
    })),
    labels: s.labels,
  };
}

/** Relabel a label sequence so that no entity starts with I-X (an I-X after anything but B-X/I-X becomes B-X). */
export function repairBio(s: LabelSchema, labels: ArrayLike<number>, ignore = -100): Int32Array {
  const out = Int32Array.from(labels);
  let prevEntity = -1;
  for (let t = 0; t < out.length; t++) {
    const l = out[t];
    if (l === ignore) continue;
    const e = l > 0 ? s.labelToEntity[l] : -1;
    if (e >= 0 && l === s.bioPairs[e][1] && prevEntity !== e) out[t] = s.bioPairs[e][0];
    prevEntity = e;
  }
  return out;
}

// ---- small validators -------------------------------------------------------------------------

type Fail = (key: string | undefined, problem: string) => never;

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`;
}

function str(v: unknown, key: string, fail: Fail): string {
  if (typeof v !== 'string' || v.length === 0) fail(key, v === undefined ? 'missing' : `expected a non-empty string, got ${typeName(v)}`);
  return v as string;
}

function strList(v: unknown, key: string, fail: Fail): string[] {
  if (!Array.isArray(v)) fail(key, `expected a list of strings, got ${typeName(v)}`);
  const arr = v as unknown[];
  arr.forEach((x, i) => {
    if (typeof x !== 'string' || x.length === 0) fail(`${key}[${i}]`, `expected a non-empty string, got ${typeName(x)}`);
  });
  return arr as string[];
}

function checkKeys(o: Obj, allowed: string[], prefix: string, fail: Fail): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) fail(prefix ? `${prefix}.${k}` : k, `unknown key (allowed: ${allowed.join(', ')})`);
  }
}

function dupCheck(list: string[], key: string, what: string, fail: Fail): void {
  const seen = new Set<string>();
  list.forEach((x, i) => {
    if (seen.has(x)) fail(`${key}[${i}]`, `duplicate ${what} "${x}"`);
    seen.add(x);
  });
}
