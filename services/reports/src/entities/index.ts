import { ReportDefinitionEntity } from './report-definition.entity.js';

export { ReportDefinitionEntity, type ReportDefinitionEntityType } from './report-definition.entity.js';

/** Every entity of the reports schema, for `openDatabase`. */
export const reportsEntities = [ReportDefinitionEntity];
