// Writes the JSON Schema of a transfers file (`cf-secondary-dns import|plan|apply`,
// src/declare/): generated/transfers.schema.json for editors (published in the
// package, usable as `$schema`) and generated/transfers-schema.ts, the same object
// for src/declare/check.ts. Where the file holds what the API holds (a key's name
// and algorithm, a peer's address and port, an ACL's range, a zone's name and the
// most peers it lists) the subschema is copied from the spec's own schemas
// (TsigInput, PeerInput, AclInput, OutgoingZoneInput, IncomingZoneInput, Identifier), so a limit
// changed in the spec changes the file format too. Called by scripts/generate.mjs;
// `--check` compares both outputs with the committed files.

const SCHEMA_ID = "https://github.com/cf-secondary-dns/cf-secondary-dns/transfers.schema.json";
/** Keywords of the spec that mean nothing to an editor or to the checker. */
const DROPPED = new Set(["x-fix", "examples", "readOnly"]);

/** A copy of the spec's schema at `#/components/schemas/...`, references inlined. */
function inline(spec, node) {
  if (Array.isArray(node)) return node.map((item) => inline(spec, item));
  if (node === null || typeof node !== "object") return node;
  if (typeof node.$ref === "string") {
    const name = node.$ref.replace("#/components/schemas/", "");
    const target = spec.components.schemas[name];
    if (!target) throw new Error(`${node.$ref} is not in the spec`);
    const { $ref: _ref, ...rest } = node;
    return { ...inline(spec, target), ...inline(spec, rest) };
  }
  const copy = {};
  for (const [key, value] of Object.entries(node)) {
    if (!DROPPED.has(key) && !key.startsWith("x-")) copy[key] = inline(spec, value);
  }
  return copy;
}

function property(spec, schema, name) {
  const found = spec.components.schemas[schema]?.properties?.[name];
  if (!found) throw new Error(`components.schemas.${schema}.properties.${name} is not in the spec`);
  return inline(spec, found);
}

const object = (description, required, properties) => ({
  description,
  type: "object",
  additionalProperties: false,
  required,
  properties,
});

const listOf = (description, items) => ({ description, type: "array", items });

function secretSchema() {
  const fingerprint = {
    description:
      "sha256: and the first 32 hex digits of the SHA-256 of the secret, as `import` writes it; plan compares it when the secret itself is not available.",
    type: "string",
    pattern: "^sha256:[0-9a-f]{32}$",
  };
  const source = (key, description) =>
    object(description, [key], { [key]: { type: "string", minLength: 1 }, fingerprint });
  return {
    description:
      "Where the secret is read from, never the secret itself: an environment variable or a file.",
    oneOf: [
      source("env", "The name of an environment variable holding the secret (base64)."),
      source("file", "A file holding the secret (base64); relative to the transfers file."),
    ],
  };
}

function zoneSchema(spec) {
  const peerName = property(spec, "PeerInput", "name");
  const peerIds = inline(spec, { $ref: "#/components/schemas/PeerIds" });
  const outgoing = object(
    "The zone's outgoing transfers (Cloudflare as primary). Absent: the zone has no outgoing configuration (deleted with --prune).",
    ["name", "peers"],
    {
      name: inline(spec, { $ref: "#/components/schemas/DnsName" }),
      peers: {
        description: "The peers (secondaries) linked to the zone, by name.",
        type: "array",
        items: peerName,
        uniqueItems: true,
        maxItems: peerIds.maxItems,
      },
      enabled: {
        description: "Transfers on (NOTIFY sent to the peers) or off. Default: true.",
        type: "boolean",
      },
    },
  );
  return {
    ...object("A zone, by its id.", ["id"], {
      id: inline(spec, { $ref: "#/components/schemas/Identifier" }),
      outgoing,
      incoming: incomingSchema(spec),
    }),
    not: {
      description:
        "is not allowed beside outgoing: a zone is primary (outgoing) or secondary (incoming), never both",
      required: ["outgoing", "incoming"],
    },
  };
}

/** A zone's incoming configuration: the spec's IncomingZoneInput, with the primaries by name. */
function incomingSchema(spec) {
  const input = spec.components.schemas.IncomingZoneInput;
  if (!input) throw new Error("components.schemas.IncomingZoneInput is not in the spec");
  const peers = property(spec, "IncomingZoneInput", "peers");
  return object(
    "The zone's incoming transfers (Cloudflare as secondary, pulling from the peers). Absent: the zone has no incoming configuration (deleted with --prune).",
    input.required,
    {
      name: property(spec, "IncomingZoneInput", "name"),
      peers: {
        description: "The primaries Cloudflare pulls the zone from, by peer name.",
        type: "array",
        items: property(spec, "PeerInput", "name"),
        uniqueItems: true,
        maxItems: peers.maxItems,
      },
      auto_refresh_seconds: property(spec, "IncomingZoneInput", "auto_refresh_seconds"),
    },
  );
}

/** The JSON Schema of a transfers file, built from the bundled spec. */
export function transfersSchema(spec) {
  const tsig = object("A TSIG key.", ["name", "algo", "secret"], {
    name: property(spec, "TsigInput", "name"),
    algo: property(spec, "TsigInput", "algo"),
    secret: secretSchema(),
  });
  const peer = object("A peer: a secondary, where NOTIFY goes.", ["name"], {
    name: property(spec, "PeerInput", "name"),
    ip: property(spec, "PeerInput", "ip"),
    port: property(spec, "PeerInput", "port"),
    ixfr_enable: property(spec, "PeerInput", "ixfr_enable"),
    tsig: { ...property(spec, "TsigInput", "name"), description: "The peer's TSIG key, by name." },
  });
  const acl = object(
    "An ACL: a range allowed to transfer the account's zones.",
    ["name", "ip_range"],
    {
      name: property(spec, "AclInput", "name"),
      ip_range: property(spec, "AclInput", "ip_range"),
    },
  );
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: SCHEMA_ID,
    title: "cf-secondary-dns transfers file",
    ...object(
      "An account's zone transfer setup: TSIG keys, peers, ACLs and zones, each referred to by name. Generated by scripts/declare-schema.mjs from spec/openapi.yaml: do not edit.",
      ["version"],
      {
        $schema: { description: "This schema, for editors.", type: "string" },
        version: { description: "The format's version.", const: 1 },
        account: {
          ...inline(spec, { $ref: "#/components/schemas/Identifier" }),
          description: "The account id (default: --account, else CLOUDFLARE_ACCOUNT_ID).",
        },
        tsigs: listOf("The account's TSIG keys, each name once.", tsig),
        peers: listOf("The account's peers, each name once.", peer),
        acls: listOf("The account's ACLs, each name once.", acl),
        zones: listOf(
          "The zones whose transfers the file manages, each id once.",
          zoneSchema(spec),
        ),
      },
    ),
  };
}

/** generated/transfers.schema.json. */
export function transfersSchemaJson(spec) {
  return `${JSON.stringify(transfersSchema(spec), null, 2)}\n`;
}

/** generated/transfers-schema.ts: the same schema, for the checker at run time. */
export function transfersSchemaSource(spec) {
  return [
    "// Generated by scripts/declare-schema.mjs from generated/openapi.json: do not edit.",
    "// Run `npm run generate` after changing the spec. The same object as transfers.schema.json.",
    "",
    "/** The JSON Schema of a transfers file (src/declare/). */",
    `export const TRANSFERS_SCHEMA = ${JSON.stringify(transfersSchema(spec), null, 2)} as const;`,
    "",
  ].join("\n");
}
