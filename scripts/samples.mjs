// The code samples of the API reference, made from the spec: for each operation
// with an `x-client-method`, a TypeScript call of the facade, the CLI command
// (scripts/commands.mjs names its verb and flags) and a curl request, each with
// the spec's examples (the path parameters' and the request body's first). An
// operation's own `x-codeSamples` replace the made one of the same label, so
// the spec keeps only samples that say more than the operation does (ips, or a
// TypeScript sample that shows what to do with the result). scripts/docs.mjs puts
// them on the page; test/docs runs every one against the emulator.
import { flagOf, readCommandOperations } from "./commands.mjs";

const LABELS = [
  { lang: "TypeScript", label: "TypeScript" },
  { lang: "Shell", label: "CLI" },
  { lang: "Shell", label: "curl" },
];
const PROGRAM = "cf-secondary-dns";
const kebab = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function resolve(spec, node) {
  const ref = node?.$ref;
  if (typeof ref !== "string") return node ?? {};
  return resolve(
    spec,
    ref
      .slice(2)
      .split("/")
      .reduce((at, key) => at?.[key], spec),
  );
}

/** A shell word: as it is when plain, else in single quotes. */
const shellWord = (text) =>
  /^[A-Za-z0-9_.\/:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;

/** What every sample of one operation needs: its path parameters' and body's examples. */
function factsOf(spec, op, item, operation) {
  const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])]
    .map((p) => resolve(spec, p))
    .filter((p) => p.in === "path");
  const example = (name) => {
    const p = parameters.find((q) => q.name === name);
    return String(p?.example ?? p?.schema?.examples?.[0] ?? `<${name}>`);
  };
  const media = operation.requestBody?.content?.["application/json"];
  const schema = resolve(spec, media?.schema);
  const body = media
    ? (media.example ?? Object.values(media.examples ?? {})[0]?.value ?? {})
    : undefined;
  return {
    params: op.params.filter((p) => p !== "account_id").map(example),
    account: op.params.includes("account_id") ? example("account_id") : undefined,
    body,
    fields: Object.keys(schema.properties ?? {}).length > 0 ? schema.properties : undefined,
    url: spec.servers[0].url + op.path.replace(/\{(\w+)\}/g, (_, name) => example(name)),
    public: Array.isArray(operation.security) && operation.security.length === 0,
  };
}

function typescriptSample(op, facts) {
  const args = facts.params.map((id) => JSON.stringify(id));
  if (facts.fields) args.push(JSON.stringify(facts.body, null, 2));
  const options = facts.account ? `{ accountId: ${JSON.stringify(facts.account)} }` : "";
  return `import { createSecondaryDnsClient } from "cf-secondary-dns";

// Reads CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY).
const client = createSecondaryDnsClient(${options});
const result = await client.${op.resource}.${op.clientMethod}(${args.join(", ")});
console.log(JSON.stringify(result, null, 2));
`;
}

function cliSample(spec, op, facts) {
  const command = op.resource.split(".").map(kebab).join(" ");
  const words = [`${PROGRAM} ${command} ${op.verb}${facts.params.map((p) => ` ${p}`).join("")}`];
  for (const [field, value] of Object.entries(facts.fields ? facts.body : {})) {
    const schema = facts.fields[field] ?? {};
    const node = resolve(spec, schema);
    const flag = flagOf(field, schema, node);
    if (node.format === "password") words.push(`--${flag} ${field}.txt`);
    else if (typeof value === "boolean") words.push(value ? `--${flag}` : `--no-${flag}`);
    else if (Array.isArray(value))
      words.push(...value.map((v) => `--${flag} ${shellWord(String(v))}`));
    else if (typeof value === "object" && value !== null)
      words.push(`--${flag} ${shellWord(JSON.stringify(value))}`);
    else words.push(`--${flag} ${shellWord(String(value))}`);
  }
  if (facts.account) words.push(`--account ${facts.account}`);
  return `${words.join(words.length > 2 ? " \\\n  " : " ")}\n`;
}

function curlSample(op, facts) {
  const lines = [`curl ${facts.url}`, `--request ${op.method}`];
  if (!facts.public) lines.push(`--header "Authorization: Bearer $CLOUDFLARE_API_TOKEN"`);
  if (facts.body !== undefined) {
    lines.push(`--header "Content-Type: application/json"`);
    lines.push(`--data ${shellWord(JSON.stringify(facts.body))}`);
  }
  return `${lines.join(" \\\n  ")}\n`;
}

/** Every operation's samples, by operationId: the made ones, each replaced by the spec's of its label. */
export function codeSamplesOf(spec) {
  const out = {};
  for (const op of readCommandOperations(spec)) {
    const item = spec.paths[op.path];
    const operation = item[op.method.toLowerCase()];
    const own = operation["x-codeSamples"] ?? [];
    if (!op.resource) {
      out[op.operationId] = own;
      continue;
    }
    const facts = factsOf(spec, op, item, operation);
    const made = {
      TypeScript: typescriptSample(op, facts),
      CLI: cliSample(spec, op, facts),
      curl: curlSample(op, facts),
    };
    out[op.operationId] = LABELS.map(
      (sample) =>
        own.find((s) => s.label === sample.label) ?? { ...sample, source: made[sample.label] },
    );
  }
  return out;
}

/** A copy of the spec with every operation's samples in its x-codeSamples. */
export function withCodeSamples(spec) {
  const copy = structuredClone(spec);
  const samples = codeSamplesOf(spec);
  for (const item of Object.values(copy.paths)) {
    for (const operation of Object.values(item)) {
      const made = samples[operation?.operationId];
      if (made?.length) operation["x-codeSamples"] = made;
    }
  }
  return copy;
}
