import { internalMessage, message } from '@np/contracts';
import * as schemas from './files.schemas.js';

/** The files module's bus patterns: metadata only; bytes go over its data listener (see files.streams.ts). */
export const FILES_MESSAGES = {
  'files.list': message(schemas.listFilesQuerySchema, schemas.fileListSchema),
  'files.get': message(schemas.fileIdParamsSchema, schemas.fileSchema),
  'files.update': message(schemas.updateFileRequestSchema, schemas.fileSchema),
  'files.delete': message(schemas.fileIdParamsSchema, schemas.emptySchema),
  'files.links.create': message(schemas.createLinkRequestSchema, schemas.fileLinkSchema),
  'files.usage': message(schemas.emptySchema, schemas.usageSchema),
  'files.upload-grants.create': internalMessage(['reports'], schemas.createUploadGrantCommandSchema, schemas.uploadGrantSchema),
  // The form builder confirms that the file ids of a submission name files its submitter may read.
  'files.access.check': internalMessage(['form-builder'], schemas.accessCheckRequestSchema, schemas.accessCheckReplySchema),
} as const;

/** The events files publishes: exactly those its manifest entry lists. */
export const FILES_EVENTS = {
  'files.file.uploaded': schemas.fileUploadedEventSchema,
  'files.file.updated': schemas.fileUpdatedEventSchema,
  'files.file.deleted': schemas.fileDeletedEventSchema,
} as const;

type FilesMessages = typeof FILES_MESSAGES;
type FilesEvents = typeof FILES_EVENTS;

declare module '@np/contracts' {
  interface MessageContracts extends FilesMessages {}
  interface EventContracts extends FilesEvents {}
}
