/** Every template family, by id. */
import type { TemplateFamily } from './common.js';
import { GENERAL } from './general.js';
import { SAAS } from './saas.js';
import { TELECOM } from './telecom.js';
import { LOGISTICS } from './logistics.js';
import { UTILITIES } from './utilities.js';
import { HEALTHCARE } from './healthcare.js';
import { GOVERNMENT } from './government.js';
import { POS } from './pos.js';

export const FAMILIES: TemplateFamily[] = [
  ...GENERAL,
  ...SAAS,
  ...TELECOM,
  ...LOGISTICS,
  ...UTILITIES,
  ...HEALTHCARE,
  ...GOVERNMENT,
  ...POS,
];

const BY_ID = new Map(FAMILIES.map((f) => [f.id, f]));

export function familyById(id: string): TemplateFamily | undefined {
  return BY_ID.get(id);
}

export type { TemplateFamily };

/** Ids and domains of every template family (the registry config/domains.yaml draws from). */
export function listTemplateFamilies(): Array<{ id: string; domain: string }> {
  return FAMILIES.map((f) => ({ id: f.id, domain: f.domain }));
}
