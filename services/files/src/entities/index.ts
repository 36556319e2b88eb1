import { FileEntity } from './file.entity.js';

export { FileEntity, type FileEntityType } from './file.entity.js';

/** Every entity of the files schema, for `openDatabase`. */
export const filesEntities = [FileEntity];
