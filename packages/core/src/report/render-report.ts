/**
 * The launch report in Markdown and in self-contained HTML, both laid out from
 * {@link reportSections}; the HTML adds the charts as inline SVG and a print
 * stylesheet (Chromium's print to PDF gives a clean PDF).
 */
import type { LaunchReportModel } from './launch-report.js';
import { reportSections } from './report-sections.js';
import { escapeXml } from './report-svg.js';

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The report as Markdown. */
export function renderReportMarkdown(r: LaunchReportModel): string {
  const out = [`# Launch report: ${r.launch.id}`, ''];
  for (const s of reportSections(r)) {
    out.push(`## ${s.title}`, '');
    for (const line of s.lines) out.push(line, '');
    if (s.pre !== undefined) out.push('```diff', s.pre, '```', '');
    if (s.table !== undefined && s.table.rows.length > 0) {
      out.push(
        `| ${s.table.head.map(mdCell).join(' | ')} |`,
        `|${s.table.head.map(() => ' --- |').join('')}`,
      );
      for (const row of s.table.rows) out.push(`| ${row.map(mdCell).join(' | ')} |`);
      out.push('');
    }
    for (const ch of s.charts ?? []) out.push(`_Chart (in the HTML report): ${ch.title}._`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;color:#1a1a1a;max-width:1100px;margin:24px auto;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc;padding-bottom:4px}
table{border-collapse:collapse;width:100%;font-size:12px;margin:8px 0}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f2f2f2}code,pre{font-family:ui-monospace,monospace;font-size:12px}pre{background:#f7f7f7;padding:8px;overflow-x:auto}
figure{margin:8px 0}figcaption{font-size:12px;color:#555}svg{max-width:100%;height:auto}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,figure{break-inside:avoid}}`;

/** Markdown's **bold** as <strong>, everything else escaped. */
function inline(text: string): string {
  return escapeXml(text).replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

/** The report as one self-contained HTML document (no script, no external resources). */
export function renderReportHtml(r: LaunchReportModel): string {
  const body: string[] = [`<h1>Launch report: ${escapeXml(r.launch.id)}</h1>`];
  for (const s of reportSections(r)) {
    body.push(`<section id="${s.id}" data-section="${s.id}"><h2>${escapeXml(s.title)}</h2>`);
    let list = false;
    for (const line of s.lines) {
      if (line.startsWith('- ')) {
        if (!list) body.push('<ul>');
        list = true;
        body.push(`<li><code>${escapeXml(line.slice(2))}</code></li>`);
        continue;
      }
      if (list) body.push('</ul>');
      list = false;
      body.push(`<p>${inline(line)}</p>`);
    }
    if (list) body.push('</ul>');
    if (s.pre !== undefined) body.push(`<pre>${escapeXml(s.pre)}</pre>`);
    if (s.table !== undefined && s.table.rows.length > 0)
      body.push(
        `<table><thead><tr>${s.table.head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${s.table.rows
          .map((row) => `<tr>${row.map((cell) => `<td>${escapeXml(cell)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
    for (const ch of s.charts ?? [])
      body.push(`<figure>${ch.svg}<figcaption>${escapeXml(ch.title)}</figcaption></figure>`);
    body.push('</section>');
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="threshold-audit-head" content="${r.audit.head === null ? '' : `${r.audit.head.seq}:${r.audit.head.hash}`}">
<title>Launch report: ${escapeXml(r.launch.id)}</title><style>${STYLE}</style></head>
<body>${body.join('\n')}</body></html>
`;
}
