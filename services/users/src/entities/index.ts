import { UserEntity } from './user.entity.js';

export { UserEntity, type UserEntityType } from './user.entity.js';

/** Every entity of the users schema, for `openDatabase`. */
export const usersEntities = [UserEntity];
