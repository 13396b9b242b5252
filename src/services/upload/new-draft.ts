import { IpAsset } from '../../entities/ip-asset.entity';
import { ERRORS } from '../../errors';
import { isBase64Sha256 } from '../../storage/input-checks';
import type { Actor } from '../actor';
import { MAX_FILE_NAME_LENGTH, sanitizeFileName, storageKeys } from './file-name';
import { assertStorableText } from './input-rules';
import { isMimeTypeAllowed, normalizeMimeType } from './mime-types';
import { nameForType } from './type-extension';

const MAX_PROJECT_ID_LENGTH = 255;

/** What an initiate (single or multipart) asks for. */
export interface NewUploadRequest {
  fileName: string;
  fileSize: number;
  mimeType: string;
  projectId?: string | null;
  checksumSha256?: string | null;
}

/** The request, checked and normalised. */
export interface CheckedUpload {
  fileName: string;
  fileSize: number;
  mimeType: string;
  projectId: string | null;
  checksumSha256?: string;
}

/**
 * Checks an initiate's input, the same for both kinds of upload: clear BAD_USER_INPUT (with
 * the field), FILE_TOO_LARGE or MIME_TYPE_NOT_ALLOWED errors. The file name is sanitized here,
 * once, and given the extension of its type.
 */
export function checkNewUpload(
  request: NewUploadRequest,
  limits: { maxFileSize: number; allowedMimeTypes: readonly string[] },
): CheckedUpload {
  assertStorableText('fileName', request.fileName);
  assertStorableText('projectId', request.projectId);
  const sanitizedName = sanitizeFileName(request.fileName);
  if (!sanitizedName)
    throw ERRORS.badInput('fileName', 'fileName must contain at least one usable character');
  if (!Number.isSafeInteger(request.fileSize) || request.fileSize <= 0) {
    throw ERRORS.badInput('fileSize', 'fileSize must be a positive whole number of bytes');
  }
  if (request.fileSize > limits.maxFileSize) throw ERRORS.fileTooLarge(limits.maxFileSize);
  const mimeType = normalizeMimeType(request.mimeType);
  if (!mimeType) throw ERRORS.badInput('mimeType', 'mimeType must look like type/subtype');
  if (!isMimeTypeAllowed(mimeType, limits.allowedMimeTypes)) throw ERRORS.mimeTypeNotAllowed(mimeType);
  // Served under an extension of its (verified) type, whatever the uploader called it.
  const fileName = nameForType(sanitizedName, mimeType, MAX_FILE_NAME_LENGTH);
  const projectId = request.projectId?.trim() || null;
  if (projectId && projectId.length > MAX_PROJECT_ID_LENGTH) {
    throw ERRORS.badInput('projectId', `projectId must be at most ${MAX_PROJECT_ID_LENGTH} characters`);
  }
  const checksumSha256 = request.checksumSha256 ?? undefined;
  if (checksumSha256 !== undefined && !isBase64Sha256(checksumSha256)) {
    throw ERRORS.badInput('checksumSha256', 'checksumSha256 must be a base64-encoded SHA-256 digest');
  }
  return { fileName, fileSize: request.fileSize, mimeType, projectId, checksumSha256 };
}

/** A new DRAFT asset for a checked upload (not stored yet), with its keys. */
export function draftAsset(actor: Actor, upload: CheckedUpload): IpAsset {
  const asset = new IpAsset();
  asset.fileName = upload.fileName;
  asset.fileSize = upload.fileSize;
  asset.mimeType = upload.mimeType;
  asset.projectId = upload.projectId;
  asset.createdBy = actor.userId;
  asset.storageKey = storageKeys.asset(asset.id, upload.fileName);
  asset.uploadKey = storageKeys.upload(asset.id);
  return asset;
}
