/**
 * A launch's report, printable: the server's one report model laid out by
 * core's reportSections(), the same sections, words and inline SVG charts as
 * `threshold launch report` and the HTML file. Print (or Chromium's print to
 * PDF) hides the dashboard around it. An operator writes the post-launch
 * review here once the launch has ended.
 */
import { reportSections } from '@threshold/core';
import type { ReportSection } from '@threshold/core';
import { useState } from 'react';
import type { LaunchReportView } from '../api/api-types.js';
import { useLaunchStream } from '../app/launch-stream.js';
import { Link, launchPath } from '../app/router.js';
import { canOperate, useSession } from '../app/session-context.js';
import { useApi } from '../app/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { ReviewForm } from '../components/review-form.js';

/** Markdown's **bold** in a line, as the HTML rendering shows it. */
function Line({ text }: { text: string }) {
  const parts = text.split(/\*\*([^*]+)\*\*/);
  return <p>{parts.map((p, i) => (i % 2 === 1 ? <strong key={i}>{p}</strong> : p))}</p>;
}

function Section({ s }: { s: ReportSection }) {
  const items = s.lines.filter((l) => l.startsWith('- ')).map((l) => l.slice(2));
  return (
    <section className="report-section" id={s.id} data-section={s.id}>
      <h2>{s.title}</h2>
      {s.lines
        .filter((l) => !l.startsWith('- '))
        .map((l, i) => (
          <Line key={i} text={l} />
        ))}
      {items.length > 0 && (
        <ul>
          {items.map((l, i) => (
            <li key={i}>
              <code>{l}</code>
            </li>
          ))}
        </ul>
      )}
      {s.pre !== undefined && <pre className="report-diff">{s.pre}</pre>}
      {s.table !== undefined && s.table.rows.length > 0 && (
        <div className="table-scroll">
          <table className="report-table">
            <thead>
              <tr>
                {s.table.head.map((h) => (
                  <th key={h}>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {s.table.rows.map((row, i) => (
                <tr key={i}>
                  {row.map((cell, j) => (
                    <td key={j}>{cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(s.charts ?? []).map((ch) => (
        <figure key={ch.title} className="report-chart">
          {/* Our own SVG from core's report-svg: every value in it is escaped there. */}
          <div dangerouslySetInnerHTML={{ __html: ch.svg }} />
          <figcaption>{ch.title}</figcaption>
        </figure>
      ))}
    </section>
  );
}

export function ReportPage({ id }: { id: string }) {
  const { api, who } = useSession();
  const seq = useLaunchStream().launches.get(id)?.seq;
  const [reviewed, setReviewed] = useState(0);
  const path = `/api/v1/launches/${encodeURIComponent(id)}/report`;
  const loaded = useApi<LaunchReportView>(path, `${seq ?? 0}:${reviewed}`);
  const [download, setDownload] = useState<string | null>(null);
  const report = loaded.data;
  if (report === undefined)
    return loaded.state === 'error' ? (
      <ErrorNote error={loaded.error} />
    ) : (
      <p className="muted">Loading the report…</p>
    );
  const ended = report.launch.status === 'completed' || report.launch.status === 'rolled-back';
  const saveHtml = async () => {
    const html = await api.getText(`${path}/html`);
    const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    setDownload(url);
  };
  return (
    <article className="report" data-report={report.launch.id}>
      <header className="page-head no-print">
        <p>
          <Link to={launchPath(id)}>← launch {id}</Link>
        </p>
        <div className="report-actions">
          <button type="button" onClick={() => window.print()}>
            Print / save as PDF
          </button>
          <button type="button" onClick={() => void saveHtml()}>
            Prepare HTML file
          </button>
          {download !== null && (
            <a href={download} download={`${report.launch.id}-report.html`} data-download>
              Download {report.launch.id}-report.html
            </a>
          )}
        </div>
      </header>
      <h1>Launch report: {report.launch.id}</h1>
      <p className="muted" data-audit-head>
        Built from audit chain head{' '}
        {report.audit.head === null
          ? '(empty)'
          : `${report.audit.head.seq}:${report.audit.head.hash}`}
      </p>
      {reportSections(report).map((s) => (
        <Section key={s.id} s={s} />
      ))}
      {ended && canOperate(who) && (
        <ReviewForm
          launchId={report.launch.id}
          risks={report.risks.risks}
          previous={report.review}
          onSaved={() => setReviewed((n) => n + 1)}
        />
      )}
    </article>
  );
}
