import { ItemEntity } from './item.entity.js';

export { ItemEntity, type ItemEntityType } from './item.entity.js';

/** Every entity of the backoffice schema, for `openDatabase`. */
export const backofficeEntities = [ItemEntity];
