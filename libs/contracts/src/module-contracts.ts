import type { z } from 'zod';
import { BUS_MODULE_NAMES, moduleEntry, type BusModuleName } from '@np/modules';
import type { ServiceName } from './common.js';
import type { RouteDeclaration } from './route-declaration.js';
import type { StreamRouteDeclaration } from './stream-route-declaration.js';

/**
 * One request/reply message: the schemas of its request and reply. Sender and receiver validate
 * against the same entry. `callers` marks an internal pattern: only those services may send it
 * (the receiver checks the sender's identity, which RabbitMQ vouches for); without it any service
 * may, and the caller's rights come from the access token it forwards.
 */
export interface MessageContract<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  reply: Res;
  callers?: readonly ServiceName[];
}

/** A pattern any service may send, the caller's rights coming from the token it forwards. */
export function message<Req extends z.ZodType, Res extends z.ZodType>(request: Req, reply: Res): MessageContract<Req, Res> {
  return { request, reply };
}

/** A pattern only the named services may send. */
export function internalMessage<Req extends z.ZodType, Res extends z.ZodType>(callers: readonly ServiceName[], request: Req, reply: Res): MessageContract<Req, Res> {
  return { request, reply, callers };
}

/**
 * Every pattern of every module → its contract. Empty here: each module's contracts add theirs by
 * declaration merging, next to their schemas, so a compilation that imports a module's contracts
 * knows its patterns, request and reply types:
 *
 *     declare module '@np/contracts' {
 *       interface MessageContracts extends UsersMessages {}
 *       interface EventContracts extends UsersEvents {}
 *     }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface MessageContracts {}
/** Every event name → its payload schema; filled like `MessageContracts`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface EventContracts {}

export type MessagePattern = Extract<keyof MessageContracts, string>;
type ContractOf<P extends MessagePattern> = MessageContracts[P] extends MessageContract<infer Req, infer Res> ? { request: Req; reply: Res } : never;
export type RequestOf<P extends MessagePattern> = z.input<ContractOf<P>['request']>;
export type ParsedRequestOf<P extends MessagePattern> = z.output<ContractOf<P>['request']>;
export type ReplyOf<P extends MessagePattern> = z.output<ContractOf<P>['reply']>;
export type EventName = Extract<keyof EventContracts, string>;
export type EventPayloadOf<E extends EventName> = EventContracts[E] extends z.ZodType ? z.output<EventContracts[E]> : never;

/** What a module publishes about itself on the bus and over HTTP. */
export interface ModuleContracts {
  module: BusModuleName;
  messages: Readonly<Record<string, MessageContract>>;
  /** Exactly the events its manifest entry lists. */
  events: Readonly<Record<string, z.ZodType>>;
  routes: readonly RouteDeclaration[];
  /** Routes whose bytes the module serves over HTTP itself (uploads, downloads): the gateway proxies them as streams. */
  streams?: readonly StreamRouteDeclaration[];
}

/** A registered message: its contract and the module that answers it. */
export interface RegisteredMessage extends MessageContract {
  module: BusModuleName;
}

const registered = new Map<BusModuleName, ModuleContracts>();
const messages = new Map<string, RegisteredMessage>();
const events = new Map<string, z.ZodType>();

/**
 * Makes a module's contracts known to this process: the bus client and server validate with them,
 * the gateway serves and documents their routes. Each module's contracts entry point registers
 * itself when imported. Fails at once when the contracts leave the module's namespace or disagree
 * with the module manifest.
 */
export function registerModuleContracts(contracts: ModuleContracts): ModuleContracts {
  const known = registered.get(contracts.module);
  if (known === contracts) return contracts;
  if (known) throw new Error(`The ${contracts.module} module's contracts are registered twice.`);
  checkAgainstManifest(contracts);
  registered.set(contracts.module, contracts);
  for (const [pattern, contract] of Object.entries(contracts.messages)) messages.set(pattern, { ...contract, module: contracts.module });
  for (const [name, schema] of Object.entries(contracts.events)) events.set(name, schema);
  return contracts;
}

function checkAgainstManifest(contracts: ModuleContracts): void {
  const entry = moduleEntry(contracts.module);
  if (!(BUS_MODULE_NAMES as readonly string[]).includes(contracts.module) || !entry.bus) throw new Error(`${contracts.module} is not a module of the manifest.`);
  const foreign = Object.keys(contracts.messages).filter((pattern) => !pattern.startsWith(entry.bus.patternPrefix));
  if (foreign.length > 0) throw new Error(`The ${contracts.module} module declares patterns outside its namespace: ${foreign.join(', ')}.`);
  const declared = Object.keys(contracts.events).sort().join(',');
  const listed = [...entry.events].sort().join(',');
  if (declared !== listed) throw new Error(`The ${contracts.module} module's events (${declared}) differ from its manifest entry (${listed}).`);
  for (const declaredRoute of contracts.routes) {
    const contract = contracts.messages[declaredRoute.pattern];
    if (!contract) throw new Error(`${declaredRoute.method} ${declaredRoute.path} sends ${declaredRoute.pattern}, which the ${contracts.module} module does not answer.`);
    if (contract.callers) throw new Error(`${declaredRoute.method} ${declaredRoute.path} exposes the internal pattern ${declaredRoute.pattern}.`);
  }
  const streams = contracts.streams ?? [];
  if (streams.length > 0 && entry.ports.http === null) throw new Error(`The ${contracts.module} module declares stream routes but its manifest entry has no HTTP port (ports.http).`);
  for (const stream of streams) {
    if (stream.module !== contracts.module) throw new Error(`${stream.path} names the ${stream.module} module, not ${contracts.module}.`);
  }
}

/** The contract of a registered pattern; undefined for a pattern no registered module answers. */
export function messageContract(pattern: string): RegisteredMessage | undefined {
  return messages.get(pattern);
}

export function isMessagePattern(value: string): value is MessagePattern {
  return messages.has(value);
}

/** The payload schema of a registered event; undefined for an event nobody registered. */
export function eventSchema(name: string): z.ZodType | undefined {
  return events.get(name);
}

/** Which module answers a pattern: the one whose prefix it carries (`users.get` → users). */
export function moduleOf(pattern: MessagePattern): BusModuleName {
  const contract = messages.get(pattern);
  if (!contract) throw new Error(`No registered module answers ${pattern}.`);
  return contract.module;
}

/** The contracts registered in this process, in manifest order. */
export function registeredModules(): ModuleContracts[] {
  return BUS_MODULE_NAMES.flatMap((name) => registered.get(name) ?? []);
}

/** Every registered module's HTTP routes, in manifest order: the gateway serves and documents exactly these. */
export function registeredRoutes(): RouteDeclaration[] {
  return registeredModules().flatMap((contracts) => contracts.routes);
}

/** Every registered module's stream routes, in manifest order: the gateway proxies and documents exactly these. */
export function registeredStreamRoutes(): StreamRouteDeclaration[] {
  return registeredModules().flatMap((contracts) => contracts.streams ?? []);
}
