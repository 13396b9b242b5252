import { DashboardCleanupDocument, type DashboardCleanupMutation } from '../../generated/graphql';
import { request } from '../shared/api';
import { el, formatBytes } from '../shared/format';
import { describeError } from '../shared/errors';

type CleanupResult = DashboardCleanupMutation['triggerUploadCleanup'];

/** What a cleanup removed (or, in a dry run, would remove), in words. */
function summary(result: CleanupResult): HTMLElement {
  const verb = result.dryRun ? 'Would remove' : 'Removed';
  const items: [string, string][] = [
    ['abandoned', `${result.abandonedCleaned} abandoned upload(s)`],
    ['failed', `${result.failedCleaned} failed upload(s)`],
    ['infected', `${result.infectedCleaned} quarantined file(s)`],
    ['objects-without-row', `${result.orphans.objectsWithoutRow} stored object(s) no asset owns`],
    ['rows-without-object', `${result.orphans.rowsWithoutObject} asset(s) whose object is missing`],
    ['freed', `${formatBytes(result.storageFreedBytes)} of storage ${result.dryRun ? 'to free' : 'freed'}`],
  ];
  const block = el(
    'div',
    { 'data-dry-run': String(result.dryRun) },
    el('h3', {}, result.dryRun ? 'Dry run: nothing was deleted' : 'Cleanup done'),
    el('p', {}, `${verb}:`),
    el('ul', {}, ...items.map(([key, text]) => el('li', { 'data-cleanup': key }, text))),
  );
  if (result.orphans.examples.length > 0) {
    block.append(
      el('p', { class: 'hint' }, 'For example:'),
      el(
        'ul',
        { class: 'examples' },
        ...result.orphans.examples.map((example) => el('li', {}, el('code', {}, example))),
      ),
    );
  }
  if (result.errors.length > 0) {
    block.append(
      el('p', { class: 'error' }, 'Some items could not be removed:'),
      el('ul', {}, ...result.errors.map((error) => el('li', {}, error))),
    );
  }
  return block;
}

/** The cleanup card: a dry run that lists what would go, and a real run behind a confirmation. */
export function mountCleanup(token: () => string, onDone: () => void): void {
  const byId = (id: string) => document.getElementById(id)!;
  const output = byId('cleanup-result');
  const dialog = byId('cleanup-dialog') as HTMLDialogElement;
  const dialogText = byId('cleanup-dialog-text');
  const buttons = [byId('cleanup-dry-run'), byId('cleanup-run')] as HTMLButtonElement[];

  const run = async (dryRun: boolean): Promise<CleanupResult | null> => {
    for (const button of buttons) button.disabled = true;
    output.replaceChildren(el('p', { class: 'hint' }, dryRun ? 'Looking…' : 'Cleaning up…'));
    try {
      const { triggerUploadCleanup } = await request(DashboardCleanupDocument, { dryRun }, token());
      output.replaceChildren(summary(triggerUploadCleanup));
      if (!dryRun) onDone();
      return triggerUploadCleanup;
    } catch (error) {
      output.replaceChildren(el('p', { class: 'error', role: 'alert' }, describeError(error)));
      return null;
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  };

  buttons[0].addEventListener('click', () => void run(true));
  // The real run first shows what the dry run found, then asks.
  buttons[1].addEventListener('click', async () => {
    const preview = await run(true);
    if (!preview) return;
    const count = preview.abandonedCleaned + preview.failedCleaned + preview.infectedCleaned;
    const orphans = preview.orphans.objectsWithoutRow + preview.orphans.rowsWithoutObject;
    dialogText.textContent = `This deletes ${count} upload(s) and ${orphans} orphan(s), freeing ${formatBytes(
      preview.storageFreedBytes,
    )}. It cannot be undone.`;
    dialog.showModal();
  });
  byId('cleanup-cancel').addEventListener('click', () => dialog.close());
  byId('cleanup-confirm').addEventListener('click', () => {
    dialog.close();
    void run(false);
  });
}
