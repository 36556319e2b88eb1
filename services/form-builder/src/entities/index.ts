import { FormEntity } from './form.entity.js';

export { FormEntity, type FormEntityType } from './form.entity.js';

/** Every entity of the form-builder schema, for `openDatabase`. */
export const formBuilderEntities = [FormEntity];
