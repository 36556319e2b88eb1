import { SettingsEntity } from './settings.entity.js';

export { SettingsEntity, type SettingsEntityType } from './settings.entity.js';

/** Every entity of the backoffice schema, for `openDatabase`. */
export const backofficeEntities = [SettingsEntity];
