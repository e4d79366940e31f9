// "Added by … · last changed by …" in a todo's details (a chunk of its own), from the names
// AuthorsProvider (authors-provider.tsx) gives a shared list's todos.
import { useAuthors } from './authors-provider.tsx';

/** Who made a todo and who last changed it, in a shared list; nothing elsewhere. */
export function TodoAuthors({
  createdBy,
  updatedBy,
}: {
  createdBy: string | null;
  updatedBy: string | null;
}) {
  const names = useAuthors();
  if (!names) return null;
  // A member who has left is no longer in `list.members`.
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? 'a former member') : 'someone');
  return (
    <p className="details-authors">
      Added by {nameOf(createdBy)}
      {updatedBy && updatedBy !== createdBy ? ` · last changed by ${nameOf(updatedBy)}` : ''}
      {updatedBy && updatedBy === createdBy ? ` · last changed by ${nameOf(updatedBy)} too` : ''}
    </p>
  );
}
