import { Schema } from "effect"
import { eventFields } from "../../../src/kernel/DomainEvent.ts"

/** An event of no module, for exercising the outbox on its own. */
export class Pinged extends Schema.Class<Pinged>("Pinged")({
  ...eventFields("test.pinged", 1),
  payload: Schema.Struct({ n: Schema.Int })
}) {}
