import { BaseRpcContext } from '@nestjs/microservices';
import type { Principal } from '@np/contracts';

/** What a handler knows besides the body: a request's verified principal and sender, or an event's request id. */
export interface MessageMeta {
  requestId: string;
  /** The end user, from the access token the request carried (verified on arrival). */
  principal?: Principal;
  /** The access token itself, to forward when this handler calls another module for the same user. */
  token?: string;
  /** The sending service (see RequestEnvelope.caller). */
  caller?: string;
}

/** What a message handler may know about the message besides its body (`@Ctx() ctx: BusContext`). */
export class BusContext extends BaseRpcContext<[MessageMeta]> {
  get principal(): Principal | undefined {
    return this.getArgs()[0].principal;
  }

  get requestId(): string {
    return this.getArgs()[0].requestId;
  }

  get token(): string | undefined {
    return this.getArgs()[0].token;
  }

  get caller(): string | undefined {
    return this.getArgs()[0].caller;
  }
}
