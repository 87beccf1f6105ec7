/**
 * A need's rotation clock. `time.Rotating` stores when it was created and when it falls due; when
 * it is read after that date (a refresh — the root project refreshes before every preview and up,
 * `options.refresh: always`) it leaves the state and the same update creates it anew. Its fresh
 * `rotationRfc3339` flows into a replace-forcing input of what the need issued (token metadata
 * `next_rotation`), so that is re-issued in the same update — created before the old one is
 * deleted, so consumers never see a gap. Projects of their own that use these components need
 * `refresh: always` too, or `pulumi up --refresh`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as time from "@pulumiverse/time";
import { TYPE_TOKENS } from "./type-tokens";

export interface RotationArgs {
  /** The rotation period in whole minutes (the plan's `rotationMinutes`). */
  readonly rotationMinutes: pulumi.Input<number>;
}

export class Rotation extends pulumi.ComponentResource {
  readonly clock: time.Rotating;
  /** RFC 3339 time the current credential was issued. */
  readonly issuedAt: pulumi.Output<string>;
  /** RFC 3339 time after which the next `pulumi up` re-issues the credential. */
  readonly nextRotation: pulumi.Output<string>;

  constructor(name: string, args: RotationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE_TOKENS.Rotation, name, {}, opts);
    this.clock = new time.Rotating(
      `${name}-clock`,
      { rotationMinutes: args.rotationMinutes },
      { parent: this },
    );
    this.issuedAt = this.clock.rfc3339;
    this.nextRotation = this.clock.rotationRfc3339;
    this.registerOutputs({ issuedAt: this.issuedAt, nextRotation: this.nextRotation });
  }
}
