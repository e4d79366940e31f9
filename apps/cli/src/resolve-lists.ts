import { errorCode, type RouterOutputs } from '@todo/client';
import { CliError, EXIT, usageError } from './errors.ts';
import { oneLine } from './format.ts';
import type { Api } from './session.ts';

export type List = RouterOutputs['list']['all']['lists'][number];

/** How a list is named in a sentence: its name in quotes, with control characters made spaces. */
export const quoted = (list: { name: string }) => `"${oneLine(list.name)}"`;

/** How lists are told apart: names compare without regard to case (and Unicode's forms). */
const folded = (name: string) => name.normalize('NFC').trim().toLocaleLowerCase('und');

const notAmongYours = (given: string) =>
  new CliError(`No list named "${oneLine(given)}" among yours (see \`todo lists\`).`, EXIT.notFound);

/** Whose a list is, for a sentence that tells two of one name apart: "yours", "Ada's". */
const whose = (list: List) => (list.role === 'owner' ? 'yours' : `${oneLine(list.owner.name)}'s`);

/**
 * The one list of the caller's that `given` names: a name, without regard to case, or an id
 * or the beginning of one (as `todo lists` shows it). Two lists of that name (one's own and one
 * shared with one) are refused with their ids, exit code 2; no list at all is exit code 4.
 *
 * @example
 * const list = await resolveList(api, 'groceries');  // the list named "Groceries"
 */
export async function resolveList(api: Api, given: string): Promise<List> {
  const wanted = folded(given);
  if (!wanted) throw usageError('Give a list by its name or id (see `todo lists`).');
  const { lists } = await api.list.all.query();
  const named = lists.filter((list) => folded(list.name) === wanted);
  if (named.length === 1) return named[0] as List;
  if (named.length > 1) {
    const ids = named.map((list) => `${list.id.slice(0, 8)} (${whose(list)})`);
    throw usageError(
      `${named.length} of your lists are named "${oneLine(given)}": ${ids.join(', ')}; ` +
        `give the id instead, as in --list ${named[0]?.id.slice(0, 8)}.`,
    );
  }
  if (/^[0-9a-f-]{4,36}$/.test(wanted)) {
    const byId = lists.filter((list) => list.id.startsWith(wanted));
    if (byId.length === 1) return byId[0] as List;
  }
  throw notAmongYours(given);
}

/** The list named by `--list` (or a command's argument), or undefined for the Inbox when none is. */
export const listOption = (api: Api, given: string | undefined) =>
  given === undefined ? Promise.resolve(undefined) : resolveList(api, given);

/**
 * Runs a call about one list, its refusals said with the list's name: a list that is gone (or
 * no longer shared with the caller), a role that does not allow it. `owner` is what only its
 * owner may do ('rename it'); without it, a refusal is a viewer's write.
 *
 * @example
 * await aboutList(list, api.list.rename.mutate({ id: list.id, name }), 'rename it');
 */
export async function aboutList<T>(list: { name: string }, call: Promise<T>, owner?: string): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (errorCode(error) === 'NOT_FOUND') throw notAmongYours(list.name);
    if (errorCode(error) === 'FORBIDDEN') {
      throw new CliError(
        owner
          ? `Only the owner of ${quoted(list)} can ${owner}.`
          : `You can view ${quoted(list)} but not change it.`,
        EXIT.error,
      );
    }
    throw error;
  }
}
