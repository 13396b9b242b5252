import { TRANSITIONS, type FromStates, type ToState, type TransitionRule } from './transitions';

function states(parts: FromStates | ToState): string {
  const shown = [
    ['status', parts.status],
    ['scan', parts.scanStatus],
    ['thumbnail', parts.thumbnailStatus],
  ].filter(([, value]) => value !== undefined && (!Array.isArray(value) || value.length > 0));
  return shown
    .map(([name, value]) => `${name} ${Array.isArray(value) ? value.join(' or ') : String(value)}`)
    .join(', ');
}

/**
 * {@link TRANSITIONS} as the rows of a Markdown table (transition, event, actor, from, to), for
 * the README; a unit test keeps the README's copy equal to it.
 */
export function transitionTableRows(): string[][] {
  return Object.entries(TRANSITIONS).map(([name, value]) => {
    const rule: TransitionRule = value;
    const from = rule.from === 'create' ? '(new asset)' : states(rule.from);
    const to = [
      states(rule.to) || 'unchanged',
      ...(rule.reason ? [`reason "${rule.reason}"`] : []),
      ...(rule.deletes ? ['row deleted'] : []),
    ].join('; ');
    return [`\`${name}\``, rule.event, rule.actor, from, to];
  });
}

/** The table itself, header included. */
export function transitionTable(): string {
  const rows = [
    ['transition', 'event', 'actor', 'from', 'to'],
    ['---', '---', '---', '---', '---'],
    ...transitionTableRows(),
  ];
  return rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
