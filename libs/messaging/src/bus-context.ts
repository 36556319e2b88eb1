import { BaseRpcContext } from '@nestjs/microservices';
import type { Principal } from '@np/contracts';

/** What travels beside a message's body: a request, or an event (which has no principal). */
export interface MessageMeta {
  requestId: string;
  principal?: Principal;
}

/** What a message handler may know about the message besides its body (`@Ctx() ctx: BusContext`). */
export class BusContext extends BaseRpcContext<[MessageMeta]> {
  get principal(): Principal | undefined {
    return this.getArgs()[0].principal;
  }

  get requestId(): string {
    return this.getArgs()[0].requestId;
  }
}
