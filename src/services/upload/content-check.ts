/** Bytes read from the start of an object to recognise its type (what file-type needs). */
export const CONTENT_SNIFF_BYTES = 4100;

const OOXML_TYPES = new Set([
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
]);

/** Detected types that legitimately stand for a declared one (containers and aliases). */
const EQUIVALENT_DETECTIONS: Record<string, string[]> = {
  'application/zip': [...OOXML_TYPES, 'application/epub+zip', 'application/java-archive'],
  'audio/wav': ['audio/wav', 'audio/vnd.wave', 'audio/x-wav'],
  'audio/ogg': ['audio/ogg', 'audio/opus', 'video/ogg', 'application/ogg'],
  'video/mp4': ['video/mp4', 'video/x-m4v', 'audio/mp4'],
  'image/heic': ['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence'],
  'audio/mpeg': ['audio/mpeg', 'audio/mp3'],
};
for (const ooxml of OOXML_TYPES) EQUIVALENT_DETECTIONS[ooxml] = [ooxml, 'application/zip'];

type Detector = (head: Uint8Array) => Promise<{ mime: string } | undefined>;
let detectorPromise: Promise<{ detect: Detector; known: ReadonlySet<string> }> | undefined;

// file-type is ESM-only; load it once, lazily, from this CommonJS build.
function loadDetector() {
  detectorPromise ??= import('file-type').then((m) => ({
    detect: (head: Uint8Array) => m.fileTypeFromBuffer(head),
    known: m.supportedMimeTypes as ReadonlySet<string>,
  }));
  return detectorPromise;
}

/**
 * Checks an object's leading bytes against its declared MIME type. Returns null when they agree,
 * otherwise a short reason safe to show the uploader.
 */
export async function checkLeadingBytes(declared: string, head: Uint8Array): Promise<string | null> {
  const { detect, known } = await loadDetector();
  const detected = (await detect(head))?.mime;
  const accepted = [declared, ...(EQUIVALENT_DETECTIONS[declared] ?? [])];

  if (detected) {
    return accepted.includes(detected) ? null : `declared ${declared} but the content is ${detected}`;
  }
  if (declared.startsWith('text/') || declared === 'application/json') {
    return looksLikeText(head) ? null : `declared ${declared} but the content is binary`;
  }
  // file-type recognises this type, so failing to recognise it means the bytes are something else.
  if (known.has(declared) || declared in EQUIVALENT_DETECTIONS) {
    return `declared ${declared} but the content is not recognisable as such`;
  }
  return null;
}

/** Text means valid UTF-8 (allowing a character cut at the end) with no NUL bytes. */
function looksLikeText(head: Uint8Array): boolean {
  if (head.includes(0)) return false;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}
