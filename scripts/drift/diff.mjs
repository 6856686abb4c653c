// Differences between two normalized operations (normalize.mjs). The same walk serves
// both comparisons: the baseline against upstream now ("was" and "now"), and our spec
// against upstream ("ours" and "upstream"), where each difference carries the trail of
// x-fix markers above and at the node where it is found (README, "where a difference
// is found"): the operation's, then the parameter's or request body's, then each
// schema's down to that node.
import { MARKS, SCALARS } from "./normalize.mjs";

/** Words for each comparison. */
export const WORDS = {
  ours: {
    left: "ours",
    right: "upstream",
    onlyLeft: (what) => `only ours has this ${what}`,
    onlyRight: (what) => `only upstream has this ${what}`,
    moreLeft: (verb, list) => `only ours ${verb} ${list}`,
    moreRight: (verb, list) => `only upstream ${verb} ${list}`,
  },
  baseline: {
    left: "was",
    right: "now",
    onlyLeft: (what) => `${what} removed upstream`,
    onlyRight: (what) => `${what} added upstream`,
    moreLeft: (verb, list) => `no longer ${verb} ${list}`,
    moreRight: (verb, list) => `now also ${verb} ${list}`,
  },
};

const text = (value) => {
  if (value === undefined) return "none";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
};
const typeText = (types) => (types?.length ? types.join("|") : "any");
const valueMessage = (words, key, a, b) =>
  text(a) === text(b) ? undefined : `${key}: ${words.left} ${text(a)}, ${words.right} ${text(b)}`;
const marksOf = (node) => node?.[MARKS] ?? [];
const field = (where, name) => (where ? `${where}.${name}` : name);

/**
 * A walk: `add(where, message, trail)` records a difference, `reach(marks)` records
 * the markers of each of our nodes compared.
 */
export function walker(words, add, reach = () => {}) {
  const w = { words, add, reach };
  w.value = (where, key, a, b, trail) => {
    const message = valueMessage(words, key, a, b);
    if (message) add(where, message, trail);
  };
  w.sets = (where, label, verb, a = [], b = [], trail) => {
    const left = a.filter((x) => !b.includes(x));
    const right = b.filter((x) => !a.includes(x));
    const parts = [];
    if (right.length) parts.push(words.moreRight(verb, right.join(", ")));
    if (left.length) parts.push(words.moreLeft(verb, left.join(", ")));
    if (parts.length) add(where, `${label}: ${parts.join("; ")}`, trail);
  };
  return w;
}

/** Two schemas: constraints at the node, then fields, items and variants below it. */
export function diffSchema(w, where, a, b, trail) {
  const here = [...trail, ...marksOf(a)];
  w.reach(marksOf(a));
  // The constraints of one node make one line: "type: ours string, upstream any; pattern: ...".
  const messages = [valueMessage(w.words, "type", typeText(a.type), typeText(b.type))];
  for (const key of ["enum", ...SCALARS]) messages.push(valueMessage(w.words, key, a[key], b[key]));
  if (messages.some(Boolean)) w.add(where || "(body)", messages.filter(Boolean).join("; "), here);
  w.sets(where || "(body)", "required", "requires", a.required, b.required, here);
  diffFields(w, where, a, b, here);
  diffChild(
    w,
    `${where}{*}`,
    "additionalProperties",
    a.additionalProperties,
    b.additionalProperties,
    here,
  );
  diffChild(w, `${where}[]`, "items", a.items, b.items, here);
  for (const key of ["anyOf", "oneOf"]) diffVariants(w, where, key, a[key], b[key], here);
}

function diffFields(w, where, a, b, here) {
  const ours = a.properties ?? {};
  const theirs = b.properties ?? {};
  for (const name of Object.keys(ours)) {
    if (name in theirs) diffSchema(w, field(where, name), ours[name], theirs[name], here);
    else {
      w.reach(marksOf(ours[name]));
      w.add(field(where, name), w.words.onlyLeft("field"), [...here, ...marksOf(ours[name])]);
    }
  }
  for (const name of Object.keys(theirs)) {
    if (!(name in ours)) w.add(field(where, name), w.words.onlyRight("field"), here);
  }
}

/** A sub-schema (items, additionalProperties): compared when both are schemas. */
function diffChild(w, where, key, a, b, here) {
  const isSchema = (x) => x !== undefined && x !== false;
  if (isSchema(a) && isSchema(b)) diffSchema(w, where, a, b, here);
  else if (a !== undefined || b !== undefined) {
    const show = (x) => (x === undefined ? "any" : x === false ? "none" : "a schema");
    if (show(a) !== show(b)) {
      w.add(
        where.replace(/(\{\*\}|\[\])$/, ""),
        `${key}: ${w.words.left} ${show(a)}, ${w.words.right} ${show(b)}`,
        here,
      );
    }
  }
}

function diffVariants(w, where, key, a, b, here) {
  if (!a && !b) return;
  if ((a?.length ?? 0) !== (b?.length ?? 0)) {
    w.add(
      where,
      `${key}: ${w.words.left} ${a?.length ?? 0} variants, ${w.words.right} ${b?.length ?? 0}`,
      here,
    );
    return;
  }
  a.forEach((v, i) => diffSchema(w, `${where}<${key} ${i}>`, v, b[i], here));
}

/**
 * Two operations. A security alternative only ours accepts is found at its schemes
 * (`schemes`: our security schemes' markers by name); anything else missing on one
 * side (a parameter only upstream has, a request body or result) at the operation.
 */
export function diffOperation(w, a, b, schemes = {}) {
  const op = marksOf(a);
  w.reach(op);
  diffSecurity(w, a.security, b.security, op, schemes);
  diffParameters(w, a.parameters ?? {}, b.parameters ?? {}, op);
  diffBody(w, a.requestBody, b.requestBody, op);
  if (a.result && b.result) diffSchema(w, "result", a.result, b.result, op);
  else if (a.result) w.add("", w.words.onlyLeft("JSON success body"), op);
  else if (b.result) w.add("", w.words.onlyRight("JSON success body"), op);
}

function diffSecurity(w, a = [], b = [], op, schemes) {
  const marksFor = (alternative) => alternative.split("+").flatMap((name) => schemes[name] ?? []);
  a.forEach((alternative) => w.reach(marksFor(alternative)));
  for (const alternative of a.filter((x) => !b.includes(x))) {
    w.add("security", w.words.moreLeft("accepts", alternative), [...op, ...marksFor(alternative)]);
  }
  for (const alternative of b.filter((x) => !a.includes(x))) {
    w.add("security", w.words.moreRight("accepts", alternative), op);
  }
}

function diffParameters(w, a, b, op) {
  for (const [key, p] of Object.entries(a)) {
    const where = `parameter ${key}`;
    const trail = [...op, ...marksOf(p)];
    w.reach(marksOf(p));
    const other = b[key];
    if (!other) {
      w.add(where, w.words.onlyLeft("parameter"), trail);
      continue;
    }
    w.value(where, "required", p.required, other.required, trail);
    diffSchema(w, where, p.schema ?? {}, other.schema ?? {}, trail);
  }
  for (const key of Object.keys(b)) {
    if (!(key in a)) w.add(`parameter ${key}`, w.words.onlyRight("parameter"), op);
  }
}

function diffBody(w, a, b, op) {
  if (!a && !b) return;
  if (!a || !b) {
    w.add("", a ? w.words.onlyLeft("request body") : w.words.onlyRight("request body"), op);
    return;
  }
  const trail = [...op, ...marksOf(a)];
  w.reach(marksOf(a));
  w.value("request body", "required", a.required, b.required, trail);
  w.sets("request body", "media types", "declares", a.media, b.media, trail);
  if (a.schema && b.schema) diffSchema(w, "body", a.schema, b.schema, trail);
  else if (a.schema || b.schema) {
    const what = "JSON schema";
    w.add("request body", a.schema ? w.words.onlyLeft(what) : w.words.onlyRight(what), trail);
  }
}
