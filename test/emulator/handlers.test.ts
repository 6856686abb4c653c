/**
 * The emulator's handlers come from generated/handlers.ts (one file per resource,
 * named by the spec): every operation of the spec has one, and one that lacks it
 * is named in words, with the file to add it to, here and when the emulator starts.
 */
import { describe, expect, it } from "vitest";
import { HANDLER_FILES, HANDLERS, missingHandler } from "../../generated/handlers.js";
import { operations } from "../support/spec.js";

describe("the emulator's handlers", () => {
  it("answer every operation of the spec", () => {
    const missing = operations().map((op) =>
      missingHandler(op.operationId, op.method.toUpperCase(), op.path),
    );
    expect(missing.filter(Boolean)).toEqual([]);
  });

  it("are each an operation of the spec", () => {
    const ids = operations().map((op) => op.operationId);
    expect(Object.keys(HANDLERS).filter((id) => !ids.includes(id))).toEqual([]);
  });

  it("name a missing one in words: the operation, its method and path, and the file", () => {
    const op = operations()[0]!;
    const file = HANDLER_FILES[op.operationId]!;
    expect(file).toMatch(/^src\/emulator\/handlers\/[a-z-]+\.ts$/);
    expect(missingHandler("no-such-operation", "GET", "/zones/{zone_id}/nothing")).toBe(
      "operation no-such-operation (GET /zones/{zone_id}/nothing) has no handler: add it to the handlers that src/emulator/handlers/<resource>.ts exports",
    );
  });
});
