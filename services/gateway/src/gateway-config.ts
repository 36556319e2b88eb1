import type { OptionalModuleName } from '@np/modules';
import type { GatewaySettings } from './settings.js';

/** The settings the gateway's providers read, in the shapes they use them. */
export class GatewayConfig {
  readonly enabledModules: ReadonlySet<OptionalModuleName>;

  constructor(readonly settings: GatewaySettings) {
    this.enabledModules = new Set(settings.NP_MODULES);
  }
}
