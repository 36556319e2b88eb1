import { PostgresProvisioner } from '../infrastructure/database/index.js';
import { KeycloakIdentityProvisioner, type IdentitySpec } from '../infrastructure/identity/index.js';
import { RabbitMqProvisioner } from '../infrastructure/messaging/index.js';
import { VersitygwObjectStore } from '../infrastructure/object-store/index.js';
import { NotOwnedError, ServerUnavailableError, type InfrastructureKind, type Provisioner, type ServerCalls } from '../infrastructure/provisioner.js';
import type { TenantPlan } from '../tenant/tenant-plan.js';
import type { InfrastructureServers, InfrastructureSettings } from './infrastructure-settings.js';
import { describeKind, NOT_CONFIGURED } from './infrastructure-descriptions.js';
import type { Credentials } from './tenant-credentials.js';
import { identitySpec, IdentityNotConfigured, liveSpecs, removalSpecs } from './tenant-specs.js';

export const INFRASTRUCTURE_KINDS: readonly InfrastructureKind[] = ['messaging', 'database', 'objectStore', 'identity'];

/** How one kind fared in one reconcile: done, or why not, in words for the Tenant's condition. */
export type KindOutcome = { ok: true; message: string } | { ok: false; reason: KindFailure; message: string };
export type KindFailure = 'NotConfigured' | 'NotOwned' | 'ServerUnavailable' | 'ProvisioningFailed';
export type InfrastructureReport = Readonly<Record<InfrastructureKind, KindOutcome>>;

/**
 * The four provisioners, one per kind of server, shared by every reconcile (each counts the calls
 * its server received). Kinds are provisioned side by side and independently: a server that is
 * down or refuses fails its own kind only, and the Tenant's condition for it carries the server's
 * message.
 */
export class TenantInfrastructure {
  readonly provisioners: {
    messaging?: RabbitMqProvisioner;
    database?: PostgresProvisioner;
    objectStore?: VersitygwObjectStore;
    identity?: KeycloakIdentityProvisioner;
  };

  constructor(private readonly settings: InfrastructureSettings) {
    const { servers } = settings;
    this.provisioners = {
      messaging: servers.messaging && new RabbitMqProvisioner({ managementUrl: servers.messaging.managementUrl }),
      database: servers.database && new PostgresProvisioner({ url: servers.database.adminUrl }),
      objectStore: servers.objectStore && new VersitygwObjectStore(servers.objectStore.server),
      identity: servers.identity && new KeycloakIdentityProvisioner(servers.identity.admin),
    };
  }

  /** Requests each server has received so far (zero for a kind that is not configured). */
  calls(): Record<InfrastructureKind, ServerCalls> {
    const of = (provisioner: { calls: ServerCalls } | undefined): ServerCalls => ({ reads: provisioner?.calls.reads ?? 0, writes: provisioner?.calls.writes ?? 0 });
    const { messaging, database, objectStore, identity } = this.provisioners;
    return { messaging: of(messaging), database: of(database), objectStore: of(objectStore), identity: of(identity) };
  }

  /** Creates or repairs every kind for the Tenant; never throws: each kind's outcome is in the report. */
  ensure(plan: TenantPlan, credentials: Credentials): Promise<InfrastructureReport> {
    return this.everyKind(plan, credentials, liveSpecs(plan, credentials), 'ensure');
  }

  /**
   * deletionPolicy Delete: removes every kind. A name the operator did not create is left alone
   * and counts as done (there is nothing of the tenant's to remove); its outcome says so.
   */
  remove(plan: TenantPlan, credentials: Credentials): Promise<InfrastructureReport> {
    return this.everyKind(plan, credentials, removalSpecs(plan, credentials), 'remove');
  }

  async close(): Promise<void> {
    await this.provisioners.database?.close();
  }

  get servers(): InfrastructureServers {
    return this.settings.servers;
  }

  get resyncMs(): number {
    return this.settings.resyncMs;
  }

  /** What the identity provisioner was asked for (realm, client secrets), for the module Secrets. */
  identitySpec(plan: TenantPlan, credentials: Credentials): IdentitySpec {
    const identity = this.settings.servers.identity;
    if (!identity) throw new Error('identity is not configured');
    return identitySpec(plan, credentials, identity);
  }

  /** The four kinds side by side, each with its own outcome. */
  private async everyKind(
    plan: TenantPlan,
    credentials: Credentials,
    specs: ReturnType<typeof liveSpecs>,
    action: 'ensure' | 'remove',
  ): Promise<InfrastructureReport> {
    const { messaging, database, objectStore, identity } = this.provisioners;
    const [m, d, o, i] = await Promise.all([
      this.attempt(plan, 'messaging', messaging, () => specs.messaging, action),
      this.attempt(plan, 'database', database, () => specs.database, action),
      this.attempt(plan, 'objectStore', objectStore, () => specs.objectStore, action),
      this.attempt(plan, 'identity', identity, () => this.identitySpec(plan, credentials), action),
    ]);
    return { messaging: m, database: d, objectStore: o, identity: i };
  }

  private async attempt<Spec>(
    plan: TenantPlan,
    kind: InfrastructureKind,
    provisioner: Provisioner<Spec> | undefined,
    spec: () => Spec,
    action: 'ensure' | 'remove',
  ): Promise<KindOutcome> {
    if (!provisioner) {
      // The operator cannot reach a server it is not given; holding the Tenant forever would not change that.
      if (action === 'remove') return { ok: true, message: `nothing removed: ${NOT_CONFIGURED[kind]}` };
      return { ok: false, reason: 'NotConfigured', message: NOT_CONFIGURED[kind] };
    }
    try {
      const wanted = spec();
      await (action === 'ensure' ? provisioner.ensure(wanted) : provisioner.remove(wanted));
      return { ok: true, message: describeKind(plan, kind, action, this.settings.servers.identity?.organization.realm) };
    } catch (error) {
      if (error instanceof NotOwnedError) {
        if (action === 'remove') return { ok: true, message: `left ${error.resource}: not created by the operator` };
        return { ok: false, reason: 'NotOwned', message: error.message };
      }
      if (error instanceof IdentityNotConfigured) return { ok: false, reason: 'NotConfigured', message: error.message };
      if (error instanceof ServerUnavailableError) return { ok: false, reason: 'ServerUnavailable', message: error.message };
      return { ok: false, reason: 'ProvisioningFailed', message: error instanceof Error ? error.message : String(error) };
    }
  }
}
