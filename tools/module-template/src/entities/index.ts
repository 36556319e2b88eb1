import { ItemEntity } from './item.entity.js';

export { ItemEntity, type ItemEntityType } from './item.entity.js';

/** Every entity of the __name__ schema, for `openDatabase`. */
export const __camel__Entities = [ItemEntity];
