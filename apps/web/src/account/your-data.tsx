import { useId, useState } from 'react';
import { exportData, importData } from './account-api.ts';
import { Card, Outcome } from './card.tsx';
import { useCaller } from './use-caller.ts';
import './your-data.css';

const plural = (count: number) => `${count} ${count === 1 ? 'todo' : 'todos'}`;

/** Has the browser download `value` as pretty-printed JSON; returns the file's name. */
function downloadJson(value: unknown): string {
  const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `todos-${new Date().toISOString().slice(0, 10)}.json`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return link.download;
}

/** A file's JSON, or undefined when it is not JSON. */
async function readJson(file: File): Promise<{ value: unknown } | undefined> {
  try {
    return { value: JSON.parse(await file.text()) };
  } catch {
    return undefined;
  }
}

/** Everything of the account's as a JSON file, and such a file's todos added back. */
export function YourData({ onSessionEnded }: { onSessionEnded: () => void }) {
  const [exported, setExported] = useState<Outcome>(null);
  const [imported, setImported] = useState<Outcome>(null);
  const [busy, setBusy] = useState<'export' | 'import' | null>(null);
  const call = useCaller(onSessionEnded);
  const fileId = useId();

  const download = async () => {
    setBusy('export');
    setExported(null);
    const result = await call(exportData(), setExported);
    setBusy(null);
    if (!result) return;
    const name = downloadJson(result.value);
    setExported({ kind: 'ok', text: `Downloaded ${name} with ${plural(result.value.todos.length)}.` });
  };

  const upload = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setBusy('import');
    setImported(null);
    const parsed = await readJson(file);
    if (!parsed)
      setImported({ kind: 'error', text: `${file.name} is not a JSON file. Nothing was changed.` });
    const result = parsed && (await call(importData(parsed.value), setImported));
    if (result) {
      const { added, skipped } = result.value;
      setImported({
        kind: 'ok',
        text: `Imported ${file.name}: ${plural(added)} added, ${skipped} already there and skipped.`,
      });
    }
    setBusy(null);
    input.value = '';
  };

  return (
    <Card title="Your data">
      <p className="card-lead">
        Download everything of yours as a JSON file. Importing such a file adds its todos here; todos that are
        already here are skipped.
      </p>
      <div className="data-actions">
        <button type="button" className="button" disabled={busy !== null} onClick={() => void download()}>
          {busy === 'export' ? 'Preparing…' : 'Download my data'}
        </button>
        <label htmlFor={fileId} className="button file-button" data-disabled={busy !== null || undefined}>
          {busy === 'import' ? 'Importing…' : 'Import a file…'}
        </label>
        <input
          id={fileId}
          className="file-input"
          type="file"
          accept="application/json,.json"
          disabled={busy !== null}
          onChange={(event) => void upload(event.currentTarget)}
        />
      </div>
      <Outcome outcome={exported} />
      <Outcome outcome={imported} />
    </Card>
  );
}
