/**
 * A secret file others on the machine can read: the secret is still used, and
 * stderr warns as ssh does, naming the flag, the file, its mode and the fix.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSecret } from "../../src/cli/secret.js";
import { startEmulator } from "../../src/emulator/index.js";
import { cli, collector } from "./run.js";

const SECRET = Buffer.alloc(32, 7).toString("base64");
const folder = mkdtempSync(path.join(tmpdir(), "secret-mode-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function secretFile(name: string, mode: number): string {
  const file = path.join(folder, name);
  writeFileSync(file, `${SECRET}\n`);
  chmodSync(file, mode); // whatever the umask
  return file;
}

async function read(file: string, flag?: string) {
  const stderr = collector();
  const io = { env: {}, stdout: collector(), stderr };
  const secret = await readSecret(file, io, "help", flag);
  return { secret, warning: stderr.text };
}

describe("secret file permissions", () => {
  it("0600 and 0400: read, no warning", async () => {
    for (const mode of [0o600, 0o400])
      expect(await read(secretFile(`own-${mode.toString(8)}`, mode))).toEqual({
        secret: SECRET,
        warning: "",
      });
  });

  it("0644, 0640 and 0604: read, and a warning naming the file, its mode and chmod 600", async () => {
    for (const mode of [0o644, 0o640, 0o604]) {
      const file = secretFile(`open-${mode.toString(8)}`, mode);
      const { secret, warning } = await read(file);
      expect(secret).toBe(SECRET);
      const octal = `0${mode.toString(8)}`;
      expect(warning).toBe(
        `cf-secondary-dns: warning: --secret-file ${file} has mode ${octal}: others can read the secret in it; run chmod 600 ${file}\n`,
      );
    }
  });

  it("names the flag that gave the file, and quotes a path for the shell", async () => {
    const file = secretFile("with space", 0o644);
    const { warning } = await read(file, "--tsig-secret-file");
    expect(warning).toContain(`--tsig-secret-file '${file}' has mode 0644`);
    expect(warning).toContain(`run chmod 600 '${file}'`);
  });

  it("through the CLI: tsigs create warns and still creates the key with the secret", async () => {
    const emulator = await startEmulator();
    try {
      const env = { CLOUDFLARE_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: "t" };
      const args = ["tsigs", "create", "--name", "m.example.", "--algo", "hmac-sha256."];
      const account = ["--account", "0000000000000000000000000000beef", "--json"];
      const open = await cli([...args, "--secret-file", secretFile("cli", 0o644), ...account], env);
      expect(open.code).toBe(0);
      expect(JSON.parse(open.stdout).secret).toBe(SECRET);
      expect(open.stderr).toMatch(
        /^cf-secondary-dns: warning: --secret-file .* has mode 0644: .*chmod 600/,
      );
      const own = await cli(
        [...args, "--secret-file", secretFile("cli-own", 0o600), ...account],
        env,
      );
      expect({ code: own.code, stderr: own.stderr }).toEqual({ code: 0, stderr: "" });
    } finally {
      await emulator.close();
    }
  });
});
