// The interface's strings in the page's language. The server renders the
// page in a language (<html lang>) and puts that language's part of the
// catalogue (static/i18n.json, the one catalogue of the template and the
// scripts) in body[data-i18n]. Every string the scripts show is t('key')
// with a literal key, which static/i18n_test.go checks against the
// catalogue in every language.

const STRINGS = JSON.parse(document.body.dataset.i18n || '{}');

// LANG is the page's language, 'en' or 'ar'.
export const LANG = document.documentElement.lang === 'ar' ? 'ar' : 'en';

// LOCALE writes numbers and dates (ar: Arabic-Indic digits).
export const LOCALE = t('locale');

const nf = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
const cf = new Intl.NumberFormat(LOCALE, { notation: 'compact', maximumFractionDigits: 1 });

// num writes a number for the language, as Intl.NumberFormat does.
export const num = (n) => nf.format(n);

// compact writes a count short: 1.2K.
export const compact = (n) => cf.format(n);

// t is the string of key, each {name} replaced by vars[name], numbers
// written by num; a key missing from the catalogue shows as itself.
export function t(key, vars = {}) {
  const s = STRINGS[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? (typeof vars[k] === 'number' ? num(vars[k]) : String(vars[k])) : m));
}

// tOr is the string of a key made from data (an event type, a role),
// or fallback where the catalogue has none: the data's own word.
export const tOr = (key, fallback) => STRINGS[key] ?? fallback;
