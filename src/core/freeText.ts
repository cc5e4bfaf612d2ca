/**
 * Free text that staff or customers write about a case (task notes, correction notes, erasure
 * reasons) is kept outside the attribute model, so it must not smuggle restricted data in: it
 * refuses payment card numbers (Luhn-valid runs of 13 to 19 digits, spaces or dashes allowed, the
 * same detector the logger scrubs with) and terms of the health vocabulary. The error names the
 * field and the rule (BAD_USER_INPUT), never the text.
 */
import { luhnValid } from '../logger';
import { InputError } from './errors';

/** A run of 13 to 19 digits, optionally grouped by single spaces or dashes. */
const DIGIT_RUN = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;

/**
 * Health vocabulary (English and French): conditions, diagnoses, treatments and care settings.
 * Matched as whole words, case- and accent-insensitively; a term ending in `*` is a stem that
 * matches its endings (`diabet*`: diabetes, diabetic); other terms match with an optional plural `s`.
 * Default list; extend it here.
 */
export const HEALTH_TERMS: readonly string[] = [
  'diagnos*', 'illness', 'disease', 'disorder', 'syndrome', 'symptom', 'chronic', 'cancer', 'tumour', 'tumor', 'oncolog*',
  'chemotherap*', 'radiotherap*', 'diabet*', 'insulin', 'asthma*', 'epilep*', 'hiv', 'hepatitis', 'depression', 'depressive',
  'anxiety', 'bipolar', 'schizophren*', 'psychiatr*', 'mental health', 'autism', 'autistic', 'adhd', 'dementia', 'alzheimer*',
  'parkinson*', 'heart attack', 'pregnan*', 'miscarriage', 'abortion', 'disabilit*', 'disabled', 'wheelchair', 'allerg*',
  'surgery', 'surgical', 'hospital*', 'medication', 'prescription', 'prescribed', 'medical', 'therapy', 'addiction', 'overdose',
  'hiv-positive', 'covid', 'infection', 'on treatment', 'under treatment',
  'maladie', 'malade', 'grossesse', 'enceinte', 'ordonnance', 'médicament', 'hôpital', 'chirurgie', 'handicap*', 'diabète',
];

const fold = (s: string) => s.normalize('NFD').replace(/\p{Mn}/gu, '').toLowerCase();
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pattern = (t: string) => {
  const stem = t.endsWith('*');
  const body = escape(fold(stem ? t.slice(0, -1) : t)).replace(/ /g, '\\s+');
  return stem ? `${body}\\p{L}*` : `${body}s?`;
};
const HEALTH = new RegExp(`(?<![\\p{L}\\p{N}])(?:${HEALTH_TERMS.map(pattern).join('|')})(?![\\p{L}\\p{N}])`, 'u');

/** True if the text holds a Luhn-valid run of 13 to 19 digits. */
export function holdsCardNumber(text: string): boolean {
  for (const m of text.matchAll(DIGIT_RUN)) if (luhnValid(m[0].replace(/[ -]/g, ''))) return true;
  return false;
}

/** True if the text holds a term of the health vocabulary. */
export function holdsHealthTerm(text: string): boolean {
  return HEALTH.test(fold(text));
}

/** Refuses a card number or a health term in a free-text field; returns the text. */
export function checkFreeText(text: string, field: string): string {
  if (holdsCardNumber(text)) throw new InputError(field, 'must not contain a payment card number');
  if (holdsHealthTerm(text)) throw new InputError(field, 'must not contain health information (conditions, diagnoses, treatments or care)');
  return text;
}
