import { ItemEntity } from './item.entity.js';

export { ItemEntity, type ItemEntityType } from './item.entity.js';

/** Every entity of the files schema, for `openDatabase`. */
export const filesEntities = [ItemEntity];
