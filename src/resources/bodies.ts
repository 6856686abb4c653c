/**
 * The checker of each request body schema of the spec: it copies the body,
 * refusing anything the schema does not allow with a ValidationError naming the
 * field. `Record<BodySchema, …>` makes a new body schema in the spec a type error
 * here until its checker is written.
 */
import type { BodySchema } from "../../generated/operations.js";
import { bodyChecker, checkEmptyBody, checkZoneInput, SHAPES } from "../validate.js";

export const BODY_CHECKS: Record<BodySchema, (body: unknown) => unknown> = {
  OutgoingZoneInput: checkZoneInput,
  PeerInput: bodyChecker(SHAPES.PeerInput),
  TsigInput: bodyChecker(SHAPES.TsigInput),
  AclInput: bodyChecker(SHAPES.AclInput),
  EmptyBody: checkEmptyBody,
};
