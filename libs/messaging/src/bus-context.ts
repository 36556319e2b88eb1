import { BaseRpcContext } from '@nestjs/microservices';
import type { Principal } from '@np/contracts';
import type { RequestEnvelope } from './envelopes.js';

/** What a message handler may know about the message besides its body (`@Ctx() ctx: BusContext`). */
export class BusContext extends BaseRpcContext<[RequestEnvelope]> {
  get envelope(): RequestEnvelope {
    return this.getArgs()[0];
  }

  get principal(): Principal | undefined {
    return this.envelope.principal;
  }

  get requestId(): string {
    return this.envelope.requestId;
  }
}
