import { describe, expect, it } from "vitest";
import { createAjv, spec, validatorAt } from "./support/spec.js";

/** Every example of the spec, with the pointer of the schema it must satisfy. */
function collectExamples(doc: any) {
  const found: { where: string; schema: string; value: unknown }[] = [];
  const esc = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");
  const visit = (node: any, pointer: string) => {
    if (!node || typeof node !== "object") return;
    if (
      node.schema &&
      node.examples &&
      typeof node.examples === "object" &&
      !Array.isArray(node.examples)
    ) {
      for (const [name, example] of Object.entries<any>(node.examples)) {
        found.push({
          where: `${pointer}/examples/${name}`,
          schema: `${pointer}/schema`,
          value: example.value,
        });
      }
    }
    if (node.schema && "example" in node) {
      found.push({ where: `${pointer}/example`, schema: `${pointer}/schema`, value: node.example });
    }
    // Examples inside schemas (the JSON Schema `examples` keyword, an array).
    if (Array.isArray(node.examples) && (node.type || node.$ref || node.allOf)) {
      node.examples.forEach((value: unknown, i: number) =>
        found.push({ where: `${pointer}/examples/${i}`, schema: pointer, value }),
      );
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === "x-codeSamples") continue;
      visit(child, `${pointer}/${esc(key)}`);
    }
  };
  visit(doc, "#");
  return found;
}

const examples = collectExamples(spec);

describe("the spec's examples", () => {
  it("are many: every request body and response has at least one", () => {
    const mediaExamples = examples.filter((e) => e.where.includes("/content/"));
    // 8 operations x (200 + 4XX) + 2 request bodies + 6 shared responses (one with two) + HTML
    expect(mediaExamples.length).toBeGreaterThanOrEqual(8 * 2 + 2 + 6);
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        if (method === "parameters") continue;
        for (const [status, response] of Object.entries<any>(op.responses)) {
          if (response.$ref) continue; // shared responses are checked below
          expect(
            Object.keys(response.content["application/json"].examples ?? {}),
            `${method} ${path} ${status}`,
          ).not.toHaveLength(0);
        }
        if (op.requestBody)
          expect(Object.keys(op.requestBody.content["application/json"].examples)).not.toHaveLength(
            0,
          );
      }
    }
    for (const [name, response] of Object.entries<any>(spec.components.responses ?? {})) {
      for (const media of Object.values<any>(response.content)) {
        expect(Object.keys(media.examples ?? {}), name).not.toHaveLength(0);
      }
    }
  });

  it.each(examples.map((e) => [e.where, e] as const))(
    "%s is valid against its schema",
    (_where, example) => {
      const validate = validatorAt(example.schema);
      expect(validate(example.value), JSON.stringify(validate.errors)).toBe(true);
    },
  );

  it("a broken example is caught (the check can fail)", () => {
    const broken = structuredClone(spec) as any;
    const media =
      broken.paths["/zones/{zone_id}/secondary_dns/outgoing"].get.responses["200"].content[
        "application/json"
      ];
    media.examples.configured.value.result.soa_serial = "2019102400";
    const ajv = createAjv();
    ajv.removeSchema("https://cf-secondary-dns.local/openapi.json");
    ajv.addSchema({ ...broken, $id: "https://cf-secondary-dns.local/broken.json" });
    const validate = ajv.compile({
      $ref: "https://cf-secondary-dns.local/broken.json#/paths/~1zones~1{zone_id}~1secondary_dns~1outgoing/get/responses/200/content/application~1json/schema",
    });
    expect(validate(media.examples.configured.value)).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe("/result/soa_serial");
  });
});
