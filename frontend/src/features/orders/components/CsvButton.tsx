import { useState } from "react";

import { ApiError } from "@/lib/api";

import { csvBlob } from "../csv";
import { usePortfolioText } from "../portfolioText";

/** Hands the browser a file to save, from memory (no round trip: the rows are already here or fetched). */
function saveFile(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked a little later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** CSV 저장: builds the file's text (perhaps fetching the rows first) and saves it as `filename`. */
export function CsvButton({ filename, build, testId }: { filename: string; build: () => string | Promise<string>; testId: string }) {
  const p = usePortfolioText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onClick = async () => {
    setBusy(true);
    setError(null);
    try {
      saveFile(filename, csvBlob(await build()));
    } catch (cause) {
      setError(cause instanceof ApiError || cause instanceof Error ? cause.message : String(cause));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="csv-button">
      <button type="button" className="btn btn-small" data-testid={testId} disabled={busy} onClick={() => void onClick()}>
        {busy ? p("csv.exporting") : p("csv.export")}
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
