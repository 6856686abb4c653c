/**
 * The CLI's way to send an operation: the client's call layer (src/client/call.ts) by
 * operation descriptor, with the client's options, transport and redaction, so a
 * command needs no facade method of its own (generated/commands.ts names the
 * operation; generated/operations.ts describes it).
 */
import { OPERATIONS, type OperationId } from "../../generated/operations.js";
import { checkBody } from "../client/body.js";
import { createCall } from "../client/call.js";
import { resolveOptions, type CallOptions, type ClientOptions } from "../client/options.js";
import { createRedactor } from "../client/redact.js";
import { createTransport } from "../client/transport.js";

/** Sends operations with one client's settings; `remember` keeps a secret out of every error. */
export interface Caller {
  send(
    operationId: OperationId,
    params: Record<string, string>,
    body: unknown,
    options: CallOptions,
  ): Promise<unknown>;
  remember(secret: string): void;
}

/** Throws the client's ValidationError at once when the options are wrong, as createSecondaryDnsClient does. */
export function createCaller(options: ClientOptions): Caller {
  const resolved = resolveOptions(options);
  const { redactError: redact, scrub, remember } = createRedactor(resolved.secrets);
  const transport = createTransport({ ...resolved, redact, scrub });
  const call = createCall({ ...resolved, transport, redact, remember });
  return {
    send: (operationId, params, body, callOptions) =>
      call(OPERATIONS[operationId]!.operation, params as never, body, callOptions, checkBody),
    remember,
  };
}
