import type { Page } from 'playwright-core';

/** A file to drop on the upload page: its bytes, or a size to fill in the page with one line over and over. */
export type DroppedFile =
  | { name: string; type: string; base64: string }
  | { name: string; type: string; repeat: string; size: number };

export const fileOf = (name: string, type: string, bytes: Buffer): DroppedFile => ({
  name,
  type,
  base64: bytes.toString('base64'),
});

/**
 * Drops files on Uppy's drop zone, as a person dragging them from a file manager would. Large
 * files are made in the page (`repeat`), so tens of megabytes never cross the DevTools protocol.
 */
export async function dropFiles(page: Page, files: DroppedFile[]): Promise<void> {
  await page.evaluate((list) => {
    // Runs in the page; the project's tsconfig has no DOM types, hence `any`.
    const w = globalThis as any;
    const transfer = new w.DataTransfer();
    for (const file of list) {
      let bytes: Uint8Array;
      if ('base64' in file) bytes = Uint8Array.from(w.atob(file.base64), (c: string) => c.charCodeAt(0));
      else {
        const line = new w.TextEncoder().encode(file.repeat);
        bytes = new Uint8Array(file.size);
        for (let at = 0; at < file.size; at += line.length) bytes.set(line.subarray(0, file.size - at), at);
      }
      transfer.items.add(new w.File([bytes], file.name, { type: file.type }));
    }
    const zone = w.document.querySelector('.uppy-Dashboard-inner');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new w.DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }
  }, files);
}

/** Starts the upload of everything added, with Uppy's own button. */
export async function startUpload(page: Page): Promise<void> {
  await page.locator('.uppy-StatusBar-actionBtn--upload').click();
}

/** The result card of a file on the upload page. */
export const resultCard = (page: Page, name: string) =>
  page.locator(`#results .result-item[data-file-name="${name}"]`);
