// "Download CSV · JSON" links to the export API (app/api/…), for the task leaderboard's header and the run page.
export function Downloads({ href, label, testId }: { href: string; label: string; testId: string }) {
  const withFormat = (format: "csv" | "json") => `${href}?format=${format}`;
  return (
    <p className="text-sm text-slate-500" data-testid={testId}>
      {label}:{" "}
      <a href={withFormat("csv")} download className="text-indigo-700 hover:underline" data-testid="download-csv">
        Download CSV
      </a>{" "}
      ·{" "}
      <a href={withFormat("json")} className="text-indigo-700 hover:underline" data-testid="download-json">
        JSON
      </a>
    </p>
  );
}
